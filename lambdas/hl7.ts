/**
 * HL7 v2 ADT as hospitals really send it: CR, LF or CRLF between segments, Z-segments, PID-3
 * repeating with the NHS number under assigning authority `NHS` and identifier type `NH` (some
 * trusts send `HN`). Parsing uses Medplum's maintained `Hl7Message`; this file only decides what
 * a message means for carepath and builds the acknowledgement. It never throws: a message it
 * cannot use becomes a rejection with a reason.
 */
import { Hl7Message, type Hl7Segment } from '@medplum/core';
import { MAX_CONTROL_ID, MAX_LOCATION, type HospitalEvent } from '../domain/commands.js';
import {
  dischargeOutcome,
  meaningOf,
  type AdmissionKind,
  type HospitalFeeds,
  type PatientClass,
} from '../domain/hospitalFeeds.js';
import { londonWallTime } from '../domain/londonTime.js';
import { normaliseNhsNumber } from '../domain/nhsNumber.js';

export const supportedEvents = ['A01', 'A02', 'A03', 'A08', 'A11', 'A13'] as const;
/** Events acknowledged and ignored: a pre-admission (A05) is a booking, not a stay. */
export const ignoredEvents = ['A05'] as const;

export interface AdtMessage {
  message: Hl7Message;
  controlId: string;
  sendingFacility: string;
  event: HospitalEvent['event'];
  nhsNumber: string;
  occurredAt?: string;
  location?: string;
  /** PV1-2 through the facility's code table; left out when the code is not known. */
  patientClass?: PatientClass;
  /** PV1-4 (admission type or NHS admission method) through the facility's code table. */
  admission?: AdmissionKind;
  /** An A03 that says the person died: PID-30 `Y`, or a discharge method or destination of death. */
  died?: boolean;
  /** An A03 to another hospital (PV1-36/37): the stay goes on there. */
  transfer?: boolean;
}

/**
 * A refusal carries the message when it could be read, else at least MSH-10 if it could be found,
 * for the ACK to echo. An ignored message (a pre-admission) is acknowledged and changes nothing.
 */
export type AdtParse =
  | { ok: true; ignored?: undefined; adt: AdtMessage }
  | {
      ok: false;
      ignored: true;
      code: 'AA';
      message: Hl7Message;
      controlId: string;
      sendingFacility: string;
      reason: string;
    }
  | { ok: false; ignored?: undefined; message?: Hl7Message; controlId?: string; code: 'AR' | 'AE'; reason: string };

const usableSeparator = (c: string | undefined) => !!c && c.length === 1 && !/[\p{L}\p{N}\p{Z}\p{C}]/u.test(c);

/**
 * MSH-1 and MSH-2 as the message declares them, if they can be trusted: a field separator and four
 * encoding characters (five from v2.7), all distinct printable punctuation. Medplum takes whatever
 * sits at positions 3–7, so a message declaring fewer would be split on letters or on nothing,
 * and its ACK built with the same broken separators.
 */
function declaredSeparators(text: string): boolean {
  const field = text[3];
  if (!usableSeparator(field)) return false;
  const end = text.indexOf(field!, 4);
  const encoding = [...(end === -1 ? text.slice(4) : text.slice(4, end))];
  return (
    encoding.length >= 4 &&
    encoding.length <= 5 &&
    encoding.every(usableSeparator) &&
    new Set([field, ...encoding]).size === encoding.length + 1
  );
}

/** MSH-10 read with nothing but the field separator, for a message too broken to parse. */
function rawControlId(text: string): string | undefined {
  const field = text[3];
  if (!usableSeparator(field)) return undefined;
  const id = text.split('\r')[0]!.split(field!)[9];
  return id?.trim() ? id : undefined;
}

/**
 * `20261123093000` (optionally with a seconds fraction and an offset) → ISO instant. Without an
 * offset it is UK local time, as hospitals send it: BST in summer, GMT in winter, and the repeated
 * hour in October read as the earlier instant (`londonWallTime`).
 */
export function hl7Timestamp(ts: string | undefined): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$/.exec(ts?.trim() ?? '');
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', offset] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${offset ? `${offset.slice(0, 3)}:${offset.slice(3)}` : 'Z'}`;
  // Parsed as written first, so that a day or hour that does not exist (31 June, 25:00) is refused.
  const written = Date.parse(iso);
  if (Number.isNaN(written) || new Date(Date.parse(`${y}-${mo}-${d}T00:00:00Z`)).getUTCDate() !== Number(d))
    return undefined;
  const at = offset ? written : londonWallTime(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s));
  return new Date(at).toISOString();
}

/**
 * The text without the segment terminators at its end. Not `/\r+$/`: a regular expression engine
 * tries that from every carriage return, so a body of them costs time quadratic in its length.
 */
function withoutTrailingCRs(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 13) end -= 1;
  return text.slice(0, end);
}

/**
 * Reads an ADT message. `feeds` gives the sending facility's own codes for patient class, admission
 * and discharge over the defaults (domain/hospitalFeeds.ts).
 */
export function parseAdt(text: string, feeds?: HospitalFeeds): AdtParse {
  const normalised = withoutTrailingCRs(text.replace(/^\s+/, '').replace(/\r\n|\n|\r/g, '\r'));
  if (!normalised.startsWith('MSH'))
    return { ok: false, code: 'AR', reason: 'not an HL7 v2 message: it must start with an MSH segment' };
  const controlIdIfAny = rawControlId(normalised);
  if (!declaredSeparators(normalised))
    return {
      ok: false,
      code: 'AR',
      reason: 'MSH-1 and MSH-2 must declare a field separator and four distinct encoding characters',
      ...(controlIdIfAny ? { controlId: controlIdIfAny } : {}),
    };
  let message: Hl7Message;
  try {
    message = Hl7Message.parse(normalised);
  } catch (error) {
    return {
      ok: false,
      code: 'AR',
      reason: `unreadable HL7: ${(error as Error).message}`,
      ...(controlIdIfAny ? { controlId: controlIdIfAny } : {}),
    };
  }
  const msh = message.header;
  const controlId = msh.getField(10)?.toString().trim() ?? '';
  if (!controlId) return { ok: false, message, code: 'AR', reason: 'MSH-10 (message control id) is missing' };
  // HL7 v2.5 gives MSH-10 20 characters (v2.7, 199); a journey keeps it beside the facility.
  if (controlId.length > MAX_CONTROL_ID)
    return {
      ok: false,
      message,
      code: 'AR',
      controlId,
      reason: `MSH-10 (message control id) is longer than ${MAX_CONTROL_ID} characters`,
    };
  const [type, trigger] = (msh.getField(9)?.toString() ?? '').split('^');
  if (type !== 'ADT')
    return {
      ok: false,
      message,
      code: 'AR',
      reason: `unsupported message type ${type || '(none)'}: carepath takes ADT`,
    };
  const sendingFacility = msh.getField(4)?.toString().split('^')[0] || 'unknown';
  if ((ignoredEvents as readonly string[]).includes(trigger ?? ''))
    return {
      ok: false,
      ignored: true,
      code: 'AA',
      message,
      controlId,
      sendingFacility,
      reason: `${trigger} (pre-admission): nothing changes`,
    };
  const event = (supportedEvents as readonly string[]).includes(trigger ?? '')
    ? (trigger as HospitalEvent['event'])
    : undefined;
  if (!event)
    return {
      ok: false,
      message,
      code: 'AR',
      reason: `unsupported ADT event ${trigger || '(none)'}: carepath takes ${supportedEvents.join(', ')}`,
    };
  const pid = message.getSegment('PID');
  if (!pid) return { ok: false, message, code: 'AE', reason: 'PID segment is missing' };
  const nhsNumber = findNhsNumber(pid.getField(3));
  if (!nhsNumber)
    return {
      ok: false,
      message,
      code: 'AE',
      reason: 'PID-3 has no valid NHS number (assigning authority NHS, identifier type NH or HN)',
    };
  const evn = message.getSegment('EVN');
  const pv1 = message.getSegment('PV1');
  const when =
    event === 'A03'
      ? (pv1?.getField(45)?.toString() ?? evn?.getField(6)?.toString())
      : event === 'A01'
        ? (pv1?.getField(44)?.toString() ?? evn?.getField(6)?.toString())
        : evn?.getField(6)?.toString();
  const occurredAt = hl7Timestamp(when) ?? hl7Timestamp(evn?.getField(2)?.toString());
  // A ward and bed for staff to read; cut at what a journey keeps rather than lose the admission.
  const location =
    pv1?.getField(3)?.toString().split('^').filter(Boolean).join(' ').slice(0, MAX_LOCATION) || undefined;
  const code = (segment: Hl7Segment | undefined, i: number) => segment?.getField(i)?.toString().split('^')[0];
  const patientClass = meaningOf(feeds, sendingFacility, 'patientClass', code(pv1, 2));
  if (patientClass === 'pre-admission')
    return {
      ok: false,
      ignored: true,
      code: 'AA',
      message,
      controlId,
      sendingFacility,
      reason: 'patient class pre-admission: nothing changes',
    };
  const admission = meaningOf(feeds, sendingFacility, 'admissionType', code(pv1, 4));
  const outcome =
    event === 'A03'
      ? dischargeOutcome(feeds, sendingFacility, {
          deathIndicator: code(pid, 30),
          disposition: code(pv1, 36),
          dischargedTo: code(pv1, 37),
        })
      : undefined;
  return {
    ok: true,
    adt: {
      message,
      controlId,
      sendingFacility,
      event,
      nhsNumber,
      ...(occurredAt ? { occurredAt } : {}),
      ...(location ? { location } : {}),
      ...(patientClass ? { patientClass } : {}),
      ...(admission ? { admission } : {}),
      ...(outcome === 'died' ? { died: true } : {}),
      ...(outcome === 'transfer' ? { transfer: true } : {}),
    },
  };
}

type Field = ReturnType<NonNullable<ReturnType<Hl7Message['getSegment']>>['getField']>;

function findNhsNumber(field: Field | undefined): string | undefined {
  for (const repetition of field?.components ?? []) {
    const [id = '', , , authority = '', type = ''] = repetition;
    const authorityName = authority.split('&')[0]?.toUpperCase();
    if (authorityName === 'NHS' && (type.toUpperCase() === 'NH' || type.toUpperCase() === 'HN')) {
      const nhs = normaliseNhsNumber(id);
      if (nhs) return nhs;
    }
  }
  return undefined;
}

/** HL7 escape sequences for the standard encoding characters, so an echoed id cannot break the ACK's structure. */
const escapeHl7 = (value: string) =>
  value.replace(
    /[\\|^~&\r\n]/g,
    (c) =>
      ({ '\\': '\\E\\', '|': '\\F\\', '^': '\\S\\', '~': '\\R\\', '&': '\\T\\', '\r': '\\X0D\\', '\n': '\\X0A\\' })[c]!,
  );

/**
 * The acknowledgement: MSA-2 echoes MSH-10; a rejection carries its reason in MSA-3 and ERR. A
 * message that could not be parsed gets a minimal ACK in the standard encoding, still echoing its
 * control id when one could be found.
 */
export function ack(
  message: Hl7Message | undefined,
  code: 'AA' | 'AE' | 'AR',
  text: string,
  controlId?: string,
): string {
  const own = message ? Object.values(message.context).join('') : '';
  const clean = [...text]
    .map((c) => (/[|^~\\&\r\n]/.test(c) || own.includes(c) ? ' ' : c))
    .join('')
    .slice(0, 200);
  if (!message) {
    const ts = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
    return [
      `MSH|^~\\&|CAREPATH|CAREPATH|||${ts}||ACK|${Date.now()}|P|2.4`,
      `MSA|${code}|${escapeHl7(controlId ?? '')}|${clean}`,
      `ERR|||207^Application internal error^HL70357|E|||${clean}`,
    ].join('\r');
  }
  const reply = message.buildAck({ ackCode: code });
  const msa = reply.getSegment('MSA');
  msa?.setField(3, clean);
  const segments = [reply.toString()];
  // In the sender's own separators, like the rest of the reply.
  const { fieldSeparator: f, componentSeparator: c } = message.context;
  const error =
    code === 'AR' ? ['200', 'Unsupported message type', 'HL70357'] : ['101', 'Required field missing', 'HL70357'];
  if (code !== 'AA') segments.push(['ERR', '', '', error.join(c), 'E', '', '', clean].join(f));
  return segments.join('\r');
}
