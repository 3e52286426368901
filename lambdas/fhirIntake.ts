/**
 * FHIR R4 intake. A referral arrives as a ServiceRequest whose subject Patient is contained in it
 * or sits beside it in a Bundle; the NHS number is the identifier under the NHS number system.
 * Carepath-specific facts (programme, referral source, living alone, admissions, carer strain,
 * consent) travel as codings and extensions under https://carepath.nhs.uk. The result is a plain
 * `Referral`, validated by the same zod schema as the JSON form, so both fail the same way.
 *
 * A hospital Encounter maps to the ADT event it stands for: in-progress inpatient → admit (A01),
 * finished → discharge (A03), entered-in-error / cancelled → cancel admit (A11).
 */
import { z } from 'zod';
import { MAX_CONTROL_ID, MAX_LOCATION, type HospitalEvent } from '../domain/commands.js';
import { NHS_NUMBER_SYSTEM } from './fhirExport.js';

const CAREPATH = 'https://carepath.nhs.uk';
const DISCHARGE_DISPOSITION = 'http://terminology.hl7.org/CodeSystem/discharge-disposition';
export const FHIR_SYSTEMS = {
  programme: `${CAREPATH}/programme`,
  team: `${CAREPATH}/team`,
  referralSource: `${CAREPATH}/referral-source`,
  livesAlone: `${CAREPATH}/StructureDefinition/lives-alone`,
  admissions: `${CAREPATH}/StructureDefinition/admissions-last-12-months`,
  emergencyAdmissions6Months: `${CAREPATH}/StructureDefinition/emergency-admissions-6-months`,
  carerStrain: `${CAREPATH}/StructureDefinition/carer-strain`,
  consent: `${CAREPATH}/StructureDefinition/consent-given`,
};

export type Intake<T> = { ok: true; value: T } | { ok: false; errors: { path: string; message: string }[] };
const fail = <T>(path: string, message: string): Intake<T> => ({ ok: false, errors: [{ path, message }] });

// The parts of each resource intake reads, typed as FHIR R4 has them; anything else is let through.
// A body of any other shape (a number where a Reference belongs, a null in `contained`, a Bundle of
// strings) is refused with the path to what is wrong, before any of it is read.
const str = z.string();
/**
 * A FHIR list of at most `max` items. Counted before any item is read: a Bundle of 60 000 strings
 * would otherwise cost an issue, and CPU, per item (HAZ-09). A referral's Bundle holds a handful.
 */
const list = <T extends z.ZodType>(item: T, max = 100) => z.array(z.unknown()).max(max).pipe(z.array(item));
const coding = z.looseObject({ system: str.optional(), code: str.optional(), display: str.optional() });
const codeableConcept = z.looseObject({ coding: list(coding).optional(), text: str.optional() });
const identifier = z.looseObject({ system: str.optional(), value: str.optional() });
const reference = z.looseObject({
  reference: str.optional(),
  identifier: identifier.optional(),
  display: str.optional(),
});
const extension = z.looseObject({
  url: str,
  valueBoolean: z.boolean().optional(),
  valueInteger: z.number().int().optional(),
});
/** NHS Organisation Data Service codes: a GP practice's identifier. */
const ODS_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';
/** FHIR `dateTime`: a year, a month, a day, or a time with its offset. */
const FHIR_DATE_TIME = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;
const fhirDateTime = z
  .string()
  .refine((t) => FHIR_DATE_TIME.test(t) && !Number.isNaN(Date.parse(t)), 'not a FHIR dateTime that exists');
const anyResource = z.looseObject({ resourceType: str, id: str.optional() });
const patientShape = z.looseObject({
  resourceType: z.literal('Patient'),
  id: str.optional(),
  identifier: list(identifier).optional(),
  name: list(z.looseObject({ given: list(str).optional(), family: str.optional() })).optional(),
  birthDate: str.optional(),
  address: list(
    z.looseObject({ postalCode: str.optional(), line: list(str).optional(), city: str.optional() }),
  ).optional(),
  gender: str.optional(),
  generalPractitioner: list(reference).optional(),
  telecom: list(z.looseObject({ system: str.optional(), value: str.optional() })).optional(),
});
const serviceRequestShape = z.looseObject({
  resourceType: z.literal('ServiceRequest'),
  subject: reference.optional(),
  contained: list(anyResource).optional(),
  code: codeableConcept.optional(),
  performer: list(reference).optional(),
  category: list(codeableConcept).optional(),
  requester: reference.optional(),
  reasonCode: list(codeableConcept).optional(),
  note: list(z.looseObject({ text: str.optional() })).optional(),
  priority: str.optional(),
  extension: list(extension).optional(),
});
const bundleShape = z.looseObject({
  resourceType: z.literal('Bundle'),
  entry: list(z.looseObject({ resource: anyResource.optional() }), 1000).optional(),
});
const encounterShape = z.looseObject({
  resourceType: z.literal('Encounter'),
  id: str.optional(),
  meta: z.looseObject({ versionId: str.optional() }).optional(),
  status: str.optional(),
  identifier: list(identifier).optional(),
  subject: reference.optional(),
  period: z.looseObject({ start: fhirDateTime.optional(), end: fhirDateTime.optional() }).optional(),
  location: list(z.looseObject({ location: reference.optional() })).optional(),
  serviceProvider: reference.optional(),
  hospitalization: z.looseObject({ dischargeDisposition: codeableConcept.optional() }).optional(),
  /** R4: a Coding from v3 ActCode (`IMP`, `AMB`, `SS`, `EMER`, `PRENC` …). */
  class: coding.optional(),
});

/** Encounter.class (v3 ActCode) as carepath reads it: only these are not an inpatient stay. */
const ENCOUNTER_CLASSES: Record<string, 'day-case' | 'outpatient'> = { AMB: 'outpatient', SS: 'day-case' };
/** Discharge dispositions that mean another hospital, where the stay goes on. */
const TRANSFER_DISPOSITIONS = ['other-hcf', 'rehab', 'psy'];

type ServiceRequest = z.output<typeof serviceRequestShape>;
type Resource = z.output<typeof anyResource>;
type Patient = z.output<typeof patientShape>;
type Extension = z.output<typeof extension>;

/** `value` as `shape` has it, or the problems with it, each at its FHIR path under `at`. */
function shaped<T>(shape: z.ZodType<T>, value: unknown, at: string): Intake<T> {
  const parsed = shape.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.map((i) => ({
      path: [at, ...i.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))].join('.').replace(/\.\[/g, '['),
      message: i.message,
    })),
  };
}

const ext = (list: Extension[] | undefined, url: string) => list?.find((e) => e.url === url);

function findPatient(request: ServiceRequest, siblings: Resource[]): Patient | undefined {
  const reference = request.subject?.reference ?? '';
  const contained = request.contained?.find(
    (r): r is Patient => r.resourceType === 'Patient' && `#${r.id}` === reference,
  );
  if (contained) return contained;
  return siblings.find(
    (r): r is Patient =>
      r.resourceType === 'Patient' &&
      (reference === `Patient/${r.id}` ||
        reference.endsWith(`/${r.id}`) ||
        siblings.filter((x) => x.resourceType === 'Patient').length === 1),
  );
}

/** ServiceRequest (or a Bundle holding one) → the JSON Referral shape, before zod validation. */
export function referralFromFhir(body: unknown): Intake<Record<string, unknown>> {
  const kind = (body as { resourceType?: unknown } | null)?.resourceType;
  let request: ServiceRequest | undefined;
  let siblings: Resource[] = [];
  if (kind === 'ServiceRequest') {
    const sr = shaped(serviceRequestShape, body, 'ServiceRequest');
    if (!sr.ok) return sr;
    request = sr.value;
  } else if (kind === 'Bundle') {
    const bundle = shaped(bundleShape, body, 'Bundle');
    if (!bundle.ok) return bundle;
    siblings = (bundle.value.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
    const at = siblings.findIndex((r) => r.resourceType === 'ServiceRequest');
    if (at < 0) return fail('entry', 'the Bundle holds no ServiceRequest');
    const sr = shaped(serviceRequestShape, siblings[at], `Bundle.entry[${at}].resource`);
    if (!sr.ok) return sr;
    request = sr.value;
  } else return fail('resourceType', 'expected a ServiceRequest, or a Bundle containing one');
  const found = findPatient(request, siblings);
  if (!found)
    return fail(
      'ServiceRequest.subject',
      'the subject Patient must be contained in the ServiceRequest or be in the Bundle',
    );
  const checked = shaped(patientShape, found, 'Patient');
  if (!checked.ok) return checked;
  const patient = checked.value;

  const nhsNumber = patient.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value;
  const name = patient.name?.[0];
  const coding = (list: { coding?: { system?: string; code?: string }[] }[] | undefined, system: string) =>
    list?.flatMap((c) => c.coding ?? []).find((c) => c.system === system)?.code;
  const address = [
    ...(patient.address?.[0]?.line ?? []),
    ...(patient.address?.[0]?.city ? [patient.address[0].city] : []),
  ];
  // The registered practice: UK Core's generalPractitioner, an Organization with its ODS code.
  const practice = patient.generalPractitioner?.[0];
  const ods = practice?.identifier?.system === ODS_SYSTEM ? practice.identifier.value : undefined;
  const consentExtension = ext(request.extension, FHIR_SYSTEMS.consent);
  const strain = ext(request.extension, FHIR_SYSTEMS.carerStrain)?.valueBoolean;
  return {
    ok: true,
    value: {
      patient: {
        nhsNumber,
        givenName: name?.given?.[0],
        familyName: name?.family,
        birthDate: patient.birthDate,
        ...(patient.address?.[0]?.postalCode ? { postcode: patient.address[0].postalCode } : {}),
        ...(patient.telecom?.find((t) => t.system === 'phone')?.value
          ? { phone: patient.telecom.find((t) => t.system === 'phone')!.value }
          : {}),
        ...(patient.gender ? { gender: patient.gender } : {}),
        ...(address.length ? { address } : {}),
        ...(practice?.display ? { gpPractice: { name: practice.display, ...(ods ? { odsCode: ods } : {}) } } : {}),
      },
      programme: coding(request.code ? [request.code] : [], FHIR_SYSTEMS.programme),
      ...(request.performer?.find((p) => p.identifier?.system === FHIR_SYSTEMS.team)
        ? { teamId: request.performer.find((p) => p.identifier?.system === FHIR_SYSTEMS.team)!.identifier!.value }
        : {}),
      source: coding(request.category, FHIR_SYSTEMS.referralSource) ?? 'other',
      ...(request.requester?.display ? { referrer: { name: request.requester.display } } : {}),
      reason:
        [
          ...(request.reasonCode ?? []).map((r) => r.text ?? r.coding?.[0]?.display),
          ...(request.note ?? []).map((n) => n.text),
        ]
          .filter(Boolean)
          .join('; ') || undefined,
      urgency: request.priority && request.priority !== 'routine' ? 'urgent' : 'routine',
      conditions: (request.reasonCode ?? []).flatMap((r) =>
        (r.coding ?? []).map((c) => c.display).filter((d): d is string => !!d),
      ),
      ...(ext(request.extension, FHIR_SYSTEMS.livesAlone)
        ? { livesAlone: ext(request.extension, FHIR_SYSTEMS.livesAlone)!.valueBoolean }
        : {}),
      ...(ext(request.extension, FHIR_SYSTEMS.admissions)
        ? { admissionsLast12Months: ext(request.extension, FHIR_SYSTEMS.admissions)!.valueInteger }
        : {}),
      ...(ext(request.extension, FHIR_SYSTEMS.emergencyAdmissions6Months)
        ? {
            emergencyAdmissions6Months: ext(request.extension, FHIR_SYSTEMS.emergencyAdmissions6Months)!.valueInteger,
          }
        : {}),
      ...(strain !== undefined ? { carer: { strain } } : {}),
      consent: consentExtension
        ? { given: consentExtension.valueBoolean === true, recordedBy: request.requester?.display ?? 'referrer' }
        : undefined,
    },
  };
}

/** An Encounter → the hospital event it stands for, keyed by the patient's NHS number. */
export function hospitalEventFromEncounter(
  body: unknown,
): Intake<{ nhsNumber: string; facility: string; event: HospitalEvent }> {
  if ((body as { resourceType?: unknown } | null)?.resourceType !== 'Encounter')
    return fail('resourceType', 'expected an Encounter');
  const shapedEncounter = shaped(encounterShape, body, 'Encounter');
  if (!shapedEncounter.ok) return shapedEncounter;
  const encounter = shapedEncounter.value;
  const nhsNumber =
    encounter.subject?.identifier?.system === NHS_NUMBER_SYSTEM ? encounter.subject.identifier.value : undefined;
  if (!nhsNumber)
    return fail('Encounter.subject.identifier', `the subject must be identified by NHS number (${NHS_NUMBER_SYSTEM})`);
  const id = encounter.identifier?.[0]?.value ?? encounter.id;
  if (!id) return fail('Encounter.identifier', 'an identifier (or id) is required, so a repeat changes nothing');
  const version = encounter.meta?.versionId ?? encounter.status;
  if (`${id}:${version}`.length > MAX_CONTROL_ID)
    return fail(
      'Encounter.identifier',
      `the identifier and version together must be at most ${MAX_CONTROL_ID} characters, so a journey can keep them`,
    );
  const kind =
    encounter.status === 'finished'
      ? 'A03'
      : encounter.status === 'in-progress'
        ? 'A01'
        : encounter.status === 'entered-in-error' || encounter.status === 'cancelled'
          ? 'A11'
          : undefined;
  if (!kind)
    return fail(
      'Encounter.status',
      `status ${encounter.status} does not move a journey (in-progress, finished, cancelled or entered-in-error do)`,
    );
  if (encounter.class?.code === 'PRENC')
    return fail('Encounter.class', 'a pre-admission (PRENC) does not move a journey; send the admission itself');
  const patientClass = encounter.class?.code ? ENCOUNTER_CLASSES[encounter.class.code] : undefined;
  const occurredAt = kind === 'A03' ? encounter.period?.end : encounter.period?.start;
  const location = encounter.location?.[0]?.location?.display?.slice(0, MAX_LOCATION);
  // FHIR's discharge-disposition code for a death is `exp` (expired).
  const disposition = (codes: string[]) =>
    kind === 'A03' &&
    !!encounter.hospitalization?.dischargeDisposition?.coding?.some(
      (c) => c.system === DISCHARGE_DISPOSITION && codes.includes(c.code ?? ''),
    );
  const died = disposition(['exp']);
  const transfer = !died && disposition(TRANSFER_DISPOSITIONS);
  return {
    ok: true,
    value: {
      nhsNumber,
      facility: encounter.serviceProvider?.identifier?.value ?? encounter.serviceProvider?.display ?? 'fhir',
      event: {
        controlId: `${id}:${version}`,
        event: kind,
        ...(occurredAt ? { occurredAt: new Date(occurredAt).toISOString() } : {}),
        ...(location ? { location } : {}),
        ...(died ? { died } : {}),
        ...(transfer ? { transfer } : {}),
        ...(patientClass ? { patientClass } : {}),
      },
    },
  };
}
