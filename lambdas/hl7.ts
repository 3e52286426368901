/**
 * HL7 v2 ADT as hospitals really send it: CR, LF or CRLF between segments, Z-segments, PID-3
 * repeating with the NHS number under assigning authority `NHS` and identifier type `NH` (some
 * trusts send `HN`). Parsing uses Medplum's maintained `Hl7Message`; this file only decides what
 * a message means for carepath and builds the acknowledgement. It never throws: a message it
 * cannot use becomes a rejection with a reason.
 */
import { Hl7Message } from '@medplum/core';
import type { HospitalEvent } from '../domain/commands.js';
import { normaliseNhsNumber } from '../domain/nhsNumber.js';

export const supportedEvents = ['A01', 'A02', 'A03', 'A08', 'A11', 'A13'] as const;

export interface AdtMessage {
  message: Hl7Message;
  controlId: string;
  sendingFacility: string;
  event: HospitalEvent['event'];
  nhsNumber: string;
  occurredAt?: string;
  location?: string;
}

export type AdtParse = { ok: true; adt: AdtMessage } | { ok: false; message?: Hl7Message; code: 'AR' | 'AE'; reason: string };

/** `20261123093000` (optionally with seconds fraction and offset) → ISO instant; UK local time if no offset. */
export function hl7Timestamp(ts: string | undefined): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$/.exec(ts?.trim() ?? '');
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', offset] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${offset ? `${offset.slice(0, 3)}:${offset.slice(3)}` : 'Z'}`;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}

export function parseAdt(text: string): AdtParse {
  const normalised = text.replace(/^\s+/, '').replace(/\r\n|\n|\r/g, '\r').replace(/\r+$/, '');
  if (!normalised.startsWith('MSH')) return { ok: false, code: 'AR', reason: 'not an HL7 v2 message: it must start with an MSH segment' };
  let message: Hl7Message;
  try {
    message = Hl7Message.parse(normalised);
  } catch (error) {
    return { ok: false, code: 'AR', reason: `unreadable HL7: ${(error as Error).message}` };
  }
  const msh = message.header;
  const controlId = msh.getField(10)?.toString().trim() ?? '';
  if (!controlId) return { ok: false, message, code: 'AR', reason: 'MSH-10 (message control id) is missing' };
  const [type, trigger] = (msh.getField(9)?.toString() ?? '').split('^');
  if (type !== 'ADT') return { ok: false, message, code: 'AR', reason: `unsupported message type ${type || '(none)'}: carepath takes ADT` };
  const event = (supportedEvents as readonly string[]).includes(trigger ?? '') ? (trigger as HospitalEvent['event']) : undefined;
  if (!event) return { ok: false, message, code: 'AR', reason: `unsupported ADT event ${trigger || '(none)'}: carepath takes ${supportedEvents.join(', ')}` };
  const pid = message.getSegment('PID');
  if (!pid) return { ok: false, message, code: 'AE', reason: 'PID segment is missing' };
  const nhsNumber = findNhsNumber(pid.getField(3));
  if (!nhsNumber) return { ok: false, message, code: 'AE', reason: 'PID-3 has no valid NHS number (assigning authority NHS, identifier type NH or HN)' };
  const evn = message.getSegment('EVN');
  const pv1 = message.getSegment('PV1');
  const when =
    event === 'A03' ? (pv1?.getField(45)?.toString() ?? evn?.getField(6)?.toString()) : event === 'A01' ? (pv1?.getField(44)?.toString() ?? evn?.getField(6)?.toString()) : evn?.getField(6)?.toString();
  const occurredAt = hl7Timestamp(when) ?? hl7Timestamp(evn?.getField(2)?.toString());
  const location = pv1?.getField(3)?.toString().split('^').filter(Boolean).join(' ') || undefined;
  return {
    ok: true,
    adt: {
      message,
      controlId,
      sendingFacility: msh.getField(4)?.toString().split('^')[0] || 'unknown',
      event,
      nhsNumber,
      ...(occurredAt ? { occurredAt } : {}),
      ...(location ? { location } : {}),
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

/** The acknowledgement: MSA-2 echoes MSH-10; a rejection carries its reason in MSA-3 and ERR. */
export function ack(message: Hl7Message | undefined, code: 'AA' | 'AE' | 'AR', text: string): string {
  const clean = text.replace(/[|^~\\&\r\n]/g, ' ').slice(0, 200);
  if (!message) {
    // Nothing to echo: answer with a minimal ACK of our own.
    const ts = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
    return [`MSH|^~\\&|CAREPATH|CAREPATH|||${ts}||ACK|${Date.now()}|P|2.4`, `MSA|${code}||${clean}`, `ERR|||207^Application internal error^HL70357|E|||${clean}`].join('\r');
  }
  const reply = message.buildAck({ ackCode: code });
  const msa = reply.getSegment('MSA');
  msa?.setField(3, clean);
  const segments = [reply.toString()];
  if (code !== 'AA') segments.push(`ERR|||${code === 'AR' ? '200^Unsupported message type^HL70357' : '101^Required field missing^HL70357'}|E|||${clean}`);
  return segments.join('\r');
}
