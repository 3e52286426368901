/**
 * A journey as a FHIR R4 Bundle, for GP systems and shared care records: Patient (NHS number
 * under the NHS system), EpisodeOfCare, CareTeam, CarePlan with its Goals and Tasks, an
 * Encounter per hospital stay, and each outcome measure as a QuestionnaireResponse with an
 * Observation per scale, beside the Questionnaires they answer (lambdas/measuresFhir.ts). Typed
 * with Medplum's maintained FHIR R4 types.
 */
import type {
  Bundle,
  BundleEntry,
  CarePlan,
  CareTeam,
  Encounter,
  EpisodeOfCare,
  Goal,
  Patient,
  Resource,
  Task,
} from '@medplum/fhirtypes';
import type { PatientRecord } from '../activities/readModel.js';
import type { JourneyState } from '../domain/journey.js';
import { CAREPATH, measureResources, questionnaireOf, type MeasureForExport } from './measuresFhir.js';

export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';

export function journeyBundle(
  s: JourneyState,
  patient: PatientRecord | undefined,
  now: Date,
  measures: MeasureForExport[] = [],
): Bundle {
  const id = (kind: string, local = '') =>
    `${s.journeyId.replace(/[^A-Za-z0-9-.]/g, '-').slice(-40)}${kind}${local}`.slice(-64);
  const patientId = id('-patient');
  const ref = (type: string, resourceId: string) => ({ reference: `${type}/${resourceId}` });
  const practitioner = (sub: string) => ({ identifier: { system: `${CAREPATH}/staff`, value: sub }, display: sub });
  const closed = s.phase === 'closed';

  const patientResource: Patient = {
    resourceType: 'Patient',
    id: patientId,
    identifier: patient ? [{ system: NHS_NUMBER_SYSTEM, value: patient.nhsNumber }] : [],
    ...(patient
      ? {
          name: [{ use: 'official', family: patient.familyName, given: [patient.givenName] }],
          birthDate: patient.birthDate,
          ...(patient.postcode ? { address: [{ postalCode: patient.postcode }] } : {}),
          ...(patient.phone ? { telecom: [{ system: 'phone', value: patient.phone }] } : {}),
        }
      : {}),
  };
  const episode: EpisodeOfCare = {
    resourceType: 'EpisodeOfCare',
    id: id('-episode'),
    identifier: [{ system: `${CAREPATH}/journey`, value: s.journeyId }],
    status: closed ? 'finished' : 'active',
    type: [{ coding: [{ system: `${CAREPATH}/programme`, code: s.programme.id, display: s.programme.name }] }],
    patient: ref('Patient', patientId),
    period: { start: s.openedAt, ...(s.closure ? { end: s.closure.at } : {}) },
    ...(s.coordinatorId ? { careManager: practitioner(s.coordinatorId) } : {}),
    team: [ref('CareTeam', id('-team'))],
  };
  const team = s.programme.teams.find((t) => t.id === s.teamId);
  const careTeam: CareTeam = {
    resourceType: 'CareTeam',
    id: id('-team'),
    status: closed ? 'inactive' : 'active',
    name: team?.name ?? s.teamId,
    subject: ref('Patient', patientId),
    participant: [
      ...(s.coordinatorId ? [{ role: [{ text: 'care co-ordinator' }], member: practitioner(s.coordinatorId) }] : []),
      ...(team?.leads ?? []).map((lead) => ({ role: [{ text: 'team lead' }], member: practitioner(lead) })),
    ],
  };
  const goals: Goal[] = (s.carePlan?.goals ?? []).map((g) => ({
    resourceType: 'Goal',
    id: id('-goal-', g.id),
    lifecycleStatus: closed ? 'completed' : 'active',
    ...(s.closure?.outcome.goalsMet ? { achievementStatus: { text: `goals met: ${s.closure.outcome.goalsMet}` } } : {}),
    description: { text: g.description },
    subject: ref('Patient', patientId),
  }));
  const tasks: Task[] = (s.carePlan?.actions ?? []).map((a) => ({
    resourceType: 'Task',
    id: id('-task-', a.id),
    status: a.completedAt ? 'completed' : closed ? 'cancelled' : 'requested',
    intent: 'plan',
    description: a.description,
    for: ref('Patient', patientId),
    owner: { display: a.owner },
    restriction: { period: { end: a.due } },
    ...(a.completedAt ? { executionPeriod: { end: a.completedAt } } : {}),
  }));
  const carePlan: CarePlan | undefined = s.carePlan && {
    resourceType: 'CarePlan',
    id: id('-careplan'),
    status: closed ? 'completed' : 'active',
    intent: 'plan',
    title: `${s.programme.name} care plan`,
    subject: ref('Patient', patientId),
    period: { start: s.carePlan.agreedAt },
    careTeam: [ref('CareTeam', id('-team'))],
    goal: goals.map((g) => ref('Goal', g.id!)),
    activity: tasks.map((t) => ({ reference: ref('Task', t.id!) })),
    note: [
      {
        text: `agreed with the person: ${s.carePlan.agreedWithPatient ? 'yes' : `no (${s.carePlan.notAgreedReason ?? ''})`}`,
      },
    ],
  };
  const encounters: Encounter[] = s.hospitalStays.map((stay) => ({
    resourceType: 'Encounter',
    id: id('-stay-', String(stay.stayNo)),
    status: stay.dischargedAt ? 'finished' : 'in-progress',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP', display: 'inpatient encounter' },
    subject: ref('Patient', patientId),
    episodeOfCare: [ref('EpisodeOfCare', id('-episode'))],
    period: { start: stay.admittedAt, ...(stay.dischargedAt ? { end: stay.dischargedAt } : {}) },
    ...(stay.readmission
      ? { hospitalization: { reAdmission: { text: `readmission within ${s.programme.readmissionWindow}` } } }
      : {}),
    ...(stay.location ? { location: [{ location: { display: stay.location } }] } : {}),
  }));

  const questionnaires = [...new Map(measures.map((m) => [m.instrument.id, m.instrument])).values()].map(
    questionnaireOf,
  );
  const measured = measures.flatMap((m) =>
    measureResources(m, id, ref('Patient', patientId), practitioner(m.measure.by)),
  );

  const resources: Resource[] = [
    patientResource,
    episode,
    careTeam,
    ...(carePlan ? [carePlan] : []),
    ...goals,
    ...tasks,
    ...encounters,
    ...questionnaires,
    ...measured,
  ];
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: now.toISOString(),
    entry: resources.map((resource): BundleEntry => ({
      fullUrl: `${CAREPATH}/fhir/${resource.resourceType}/${resource.id}`,
      resource,
    })),
  };
}
