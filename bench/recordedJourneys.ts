/**
 * Journeys as the worker records them (`recordSnapshot`), built with the domain's own rules rather
 * than typed by hand: a referral received, triaged, assigned, assessed, a care plan agreed, then
 * months of contacts, reviews, completed actions and hospital stays, with the escalation ladder
 * firing as time passes — each step the rule a workflow would apply to the same message. The
 * snapshot is `snapshotOf` the state, exactly what the workflow sends to `recordJourney`.
 *
 * Building 100 000 journeys rule by rule would measure the domain, not the read, so a template is
 * lived once per team and shape (`SHAPES`) and each journey is a template under its own ids
 * (journey, workflow and patient): its size and content are those of a lived journey.
 */
import type { Actor } from '../domain/commands.js';
import { iso, ms } from '../domain/durations.js';
import {
  agreeCarePlan,
  assigned,
  completeAction,
  decideTriage,
  fireDueSteps,
  hospitalEvent,
  newJourney,
  receiveReferral,
  recordAssessment,
  recordContact,
  recordReview,
  type JourneyState,
} from '../domain/journey.js';
import type { Programme } from '../domain/programme.js';
import { snapshotOf, type JourneySnapshot } from '../domain/record.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * How far a journey has got, with the share of a caseload in that shape (roughly a virtual ward's:
 * most journeys active, some for a year or two). `months` of active care after the plan is agreed;
 * `idleDays`: nothing done for that long before now, so its review is overdue and the ladder has fired.
 */
export const SHAPES = [
  { name: 'triage', share: 1, stage: 'triage', months: 0, idleDays: 0 },
  { name: 'assessment', share: 1, stage: 'assessment', months: 0, idleDays: 0 },
  { name: 'care-planning', share: 1, stage: 'care-planning', months: 0, idleDays: 0 },
  { name: 'active, new', share: 2, stage: 'active', months: 1, idleDays: 0 },
  { name: 'active, 6 months', share: 2, stage: 'active', months: 6, idleDays: 0 },
  { name: 'active, review overdue', share: 1, stage: 'active', months: 3, idleDays: 20 },
  { name: 'in hospital', share: 1, stage: 'in-hospital', months: 4, idleDays: 0 },
  { name: 'active, 2 years', share: 1, stage: 'active', months: 24, idleDays: 0 },
] as const;

/** The shape of journey `i`, spread evenly by share. */
export function shapeOf(i: number): number {
  const total = SHAPES.reduce((a, s) => a + s.share, 0);
  let k = i % total;
  for (let s = 0; s < SHAPES.length; s += 1) {
    k -= SHAPES[s]!.share;
    if (k < 0) return s;
  }
  return SHAPES.length - 1;
}

const needs = [
  ['physical', 'Two falls at home since January; unsteady on the stairs, uses a stick indoors.'],
  ['mental', 'Low mood since her husband died last year; sleeping badly. Not on any treatment.'],
  ['social', 'Lives alone; daughter visits twice a week and does the shopping.'],
  ['housing', 'Bathroom upstairs only; bath without a rail. Landlord has agreed to adaptations.'],
  ['financial', 'Not claiming Attendance Allowance; would like help with the form.'],
] as const;

const reviewNotes = [
  'Seen at home with her daughter. No falls since the last review; walking with the frame indoors and the stick outside. Breathing stable on the new inhaler; no exacerbations. Wants to keep going to the lunch club on Thursdays.',
  'Telephone review. One fall in the garden, no injury, did not need the ambulance. Physiotherapy sessions finished; exercises done most days. Carer feeling more confident since the respite week.',
  'MDT review after the admission. Medication reconciled with the practice pharmacist (furosemide reduced). Community matron to visit weekly for a month. Care plan goals unchanged.',
] as const;

const contactNotes = [
  'Called to check on her after the GP appointment; bloods taken, results next week.',
  'Home visit: pendant alarm fitted and tested. Key safe code shared with the district nurses.',
  'Spoke with her daughter about the respite options; leaflet posted.',
  'Follow-up call after discharge: home safely, medicines delivered, package of care started today.',
] as const;

/**
 * One journey of `programme`'s team `teamId`, lived up to `now` in the given shape. The co-ordinator
 * is the team's `coordinator`-th (wrapping round).
 */
export function livedJourney(
  programme: Programme,
  teamId: string,
  shape: number,
  coordinator: number,
  now: number,
): JourneyState {
  const spec = SHAPES[shape]!;
  const team = programme.teams.find((t) => t.id === teamId)!;
  const coord = team.coordinators[coordinator % team.coordinators.length]!.id;
  const lead: Actor = { sub: team.leads[0]!, role: 'team-lead' };
  const by: Actor = { sub: coord, role: 'coordinator' };
  // Work back from now: triage a day after referral, assessment four days later, the plan a week after that.
  const planAt = now - spec.months * 30 * DAY - (spec.stage === 'active' || spec.stage === 'in-hospital' ? DAY : 0);
  const referredAt =
    spec.stage === 'triage'
      ? now - 6 * HOUR
      : spec.stage === 'assessment'
        ? now - 3 * DAY
        : spec.stage === 'care-planning'
          ? now - 8 * DAY
          : planAt - 12 * DAY;
  const s = newJourney(
    { journeyId: 'template', workflowId: 'template', patientId: 'template', programme, teamId },
    referredAt,
  );
  let t = referredAt;
  /** Moves the journey's clock to `at`, firing the ladder steps that fell due on the way. */
  const until = (at: number) => {
    fireDueSteps(s, at);
    t = at;
    return s;
  };
  receiveReferral(
    s,
    {
      referralId: 'r-1',
      receivedAt: iso(referredAt),
      source: 'gp',
      referrerOrganisation: 'Bench Surgery',
      reason:
        'Admitted in the spring with a COPD exacerbation; unsteady since. Lives alone since her husband died; daughter worried she is not coping.',
      urgency: 'routine',
      age: 79,
      teamId,
      conditions: ['copd'],
      livesAlone: true,
      carer: { relationship: 'daughter', strain: true },
      admissionsLast12Months: 1,
      consentGiven: true,
    },
    referredAt,
  );
  if (spec.stage === 'triage') return until(now);

  until(referredAt + DAY - HOUR);
  decideTriage(s, { decision: 'accept', reason: 'frail, lives alone, carer under strain', by: lead }, t);
  assigned(s, coord, t + 60_000);
  if (spec.stage === 'assessment') return until(now);

  until(referredAt + 5 * DAY);
  recordAssessment(
    s,
    {
      summary:
        'Holistic assessment at home with her daughter present. Moderate frailty (CFS 6). Managing personal care with difficulty; not eating well. Wants to stay at home and to avoid going back into hospital.',
      needs: needs.map(([domain, description]) => ({ domain, description })),
      whatMatters: 'Staying in her own home with her cat; seeing her grandchildren; her garden.',
      conditions: ['falls', 'copd', 'heart-failure'],
      livesAlone: true,
      carer: {
        present: true,
        relationship: 'daughter',
        strain: true,
        assessmentOffered: true,
        needs: 'Works full time; finding the visits hard to fit in.',
      },
      by,
    },
    t,
  );
  if (spec.stage === 'care-planning') return until(now);

  until(planAt);
  const actions = [
    ['falls', 'Falls clinic referral and home hazard assessment', 10],
    ['inhaler', 'Inhaler technique and rescue pack reviewed with the practice nurse', 14],
    ['aa', 'Attendance Allowance claim made with her', 21],
    ['rail', 'Bath rail and stair rail fitted', 30],
    ['respite', 'Carer respite options discussed with her daughter', 40],
  ] as const;
  agreeCarePlan(
    s,
    {
      goals: [
        { id: 'home', description: 'Stay safely at home' },
        { id: 'falls', description: 'No falls needing an ambulance' },
        { id: 'carer', description: 'Her daughter supported and able to keep visiting' },
      ],
      actions: actions.map(([id, description, days]) => ({
        id,
        description,
        owner: coord,
        due: iso(planAt + days * DAY),
      })),
      agreedWithPatient: true,
      agreedWithCarer: true,
      by,
    },
    t,
  );

  // Active care: contacts every ten days or so, actions done when due, reviews as the schedule says,
  // and an admission every six months (the last one still in hospital for the in-hospital shape).
  const end = spec.stage === 'in-hospital' ? now - 2 * DAY : now - spec.idleDays * DAY;
  let contact = 0;
  let stay = 0;
  let nextContact = t + 3 * DAY;
  let nextAdmission = t + 150 * DAY;
  for (;;) {
    const review = s.deadlines.find((d) => d.name === 'review' && d.status === 'open' && !d.pausedSince);
    const action = s.carePlan?.actions.find((a) => !a.completedAt && ms(a.due) > t + HOUR);
    const due = [
      { what: 'contact', at: nextContact },
      { what: 'admission', at: nextAdmission },
      ...(review ? [{ what: 'review', at: ms(review.dueAt) - DAY }] : []),
      ...(action ? [{ what: 'action', at: ms(action.due) - DAY }] : []),
    ].sort((a, b) => a.at - b.at)[0]!;
    const at = Math.max(due.at, t + HOUR);
    if (at >= end) break;
    until(at);
    if (due.what === 'contact') {
      recordContact(
        s,
        {
          kind: contact % 5 === 4 ? 'carer' : 'routine',
          channel: contact % 3 === 0 ? 'visit' : 'phone',
          notes: contactNotes[contact % contactNotes.length],
          by,
        },
        t,
      );
      contact += 1;
      nextContact = t + 10 * DAY;
    } else if (due.what === 'admission') {
      stay += 1;
      hospitalEvent(
        s,
        {
          controlId: `adt-${stay}-a01`,
          event: 'A01',
          occurredAt: iso(t),
          location: 'Torbay Hospital, ward 4',
          receivedAt: iso(t),
        },
        t,
      );
      const out = t + 5 * DAY;
      until(out);
      hospitalEvent(s, { controlId: `adt-${stay}-a03`, event: 'A03', occurredAt: iso(out), receivedAt: iso(out) }, t);
      until(out + DAY);
      recordContact(s, { kind: 'post-discharge', channel: 'phone', notes: contactNotes[3], by }, t);
      nextAdmission = t + 180 * DAY;
      nextContact = Math.max(nextContact, t + 7 * DAY);
    } else if (due.what === 'review') {
      recordReview(s, { outcome: 'continue', notes: reviewNotes[s.reviews.length % reviewNotes.length]!, by }, t);
    } else if (action) {
      completeAction(s, { actionId: action.id, notes: `Done with her on ${iso(t).slice(0, 10)}.`, by }, t);
    }
  }
  if (spec.stage === 'in-hospital') {
    stay += 1;
    until(end);
    hospitalEvent(
      s,
      { controlId: `adt-${stay}-a01`, event: 'A01', occurredAt: iso(t), location: 'Torbay Hospital, ward 4' },
      t,
    );
  }
  until(now);
  return s;
}

/** The template under journey `i`'s own ids: what `recordSnapshot` is given for it. */
export function asJourney(template: JourneySnapshot, programmeId: string, i: number): JourneySnapshot {
  const patientId = `p${String(i).padStart(7, '0')}`;
  const workflowId = `${programmeId}.${patientId}`;
  return { ...template, journeyId: journeyIdOf(programmeId, i), workflowId, patientId };
}

/** `<programme>.<patient>.<episode>`, as parseJourneyId accepts it. */
export const journeyIdOf = (programmeId: string, i: number): string =>
  `${programmeId}.p${String(i).padStart(7, '0')}.${String(i).padStart(12, '0')}`;

/** The snapshot the workflow would record of a lived journey (its working parts dropped, everything audited). */
export function recordedTemplate(s: JourneyState): JourneySnapshot {
  for (const e of s.timeline) delete e.content;
  return snapshotOf({ ...s, counters: { ...s.counters, audited: s.counters.seq } });
}
