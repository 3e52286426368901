/**
 * The promise the API and the journey share: a command that `checkCommand` accepts applies without
 * an error, and one it refuses changes nothing. The API checks first and only then signals, and the
 * workflow checks again and applies; a rule that threw after the check would either stop the
 * journey (an error that is not a JourneyRuleError fails its workflow task for good) or leave it
 * half-changed (a JourneyRuleError thrown after the state was touched).
 *
 * fast-check sends every command type, valid and not, to journeys of all five example programmes
 * in every phase.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { closeReasons, contactKinds, type Actor } from '../../domain/commands.js';
import * as J from '../../domain/journey.js';
import { shippedInstrument } from '../../domain/instruments.js';
import { checkCommand, commandRules, commandTypes, type CommandType } from '../../domain/journeyCommands.js';
import { calendarSchema } from '../../domain/workingCalendar.js';

const calendarDefaults = calendarSchema.parse({});
import { parseProgrammes } from '../../config/programmeFiles.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2027, 2, 1, 9, 30);
// The built-in programmes, and one that takes outcome measures (PHQ-9 and IPOS).
const programmes = parseProgrammes(
  {
    programmes: [
      ...builtInProgrammes,
      {
        ...builtInProgrammes[0]!,
        id: 'with-outcomes',
        outcomes: {
          measures: [
            { instrument: 'phq-9', every: 'P84D' },
            { instrument: 'ipos', every: 'P14D' },
          ],
        },
      },
    ],
  },
  'built-in',
);
const lead: Actor = { sub: 'lead-1', role: 'team-lead' };

/** Applies a command the way the workflow does, failing the test if the journey refuses it. */
function must(s: J.JourneyState, type: CommandType, command: Record<string, unknown>, now: number): void {
  const checked = checkCommand(s, type, { by: lead, ...command }, now);
  if ('rejected' in checked) throw new Error(`set-up ${type} refused: ${checked.rejected.message}`);
  commandRules[type].apply!(s, checked.command, now);
}

const stages = ['triage', 'assessment', 'care-planning', 'active', 'in-hospital', 'readmitted', 'closed'] as const;
type Stage = (typeof stages)[number];

/** A journey of programme `p` taken to `stage` through the journey's own rules, as the workflow would. */
function journeyAt(p: (typeof programmes)[number], stage: Stage): J.JourneyState {
  const teamId = p.teams[0]!.id;
  const s = J.newJourney(
    { journeyId: `${p.id}.pabc.0123456789ab`, workflowId: `${p.id}.pabc`, patientId: 'pabc', programme: p, teamId },
    T0,
  );
  let t = T0;
  const at = (hours = 1) => (t += hours * 3_600_000);
  J.receiveReferral(
    s,
    {
      referralId: 'r1',
      receivedAt: new Date(T0).toISOString(),
      source: 'gp',
      reason: 'needs support',
      urgency: 'routine',
      age: 81,
      teamId,
      conditions: ['copd'],
      admissionsLast12Months: 1,
      consentGiven: true,
    },
    T0,
  );
  if (s.phase === 'triage') {
    if (stage === 'triage') return s;
    must(s, 'triage', { decision: 'accept', reason: 'meets criteria' }, at());
  }
  J.assigned(s, p.teams[0]!.coordinators[0]!.id, at());
  if (stage === 'triage' || stage === 'assessment') return s;
  must(s, 'assessment', { summary: 'seen at home', needs: [] }, at());
  if (stage === 'care-planning') return s;
  must(
    s,
    'care-plan',
    {
      goals: [{ id: 'g1', description: 'stay home' }],
      actions: [{ id: 'a1', description: 'rails', owner: 'OT', due: new Date(t + 5 * DAY).toISOString() }],
      agreedWithPatient: true,
    },
    at(),
  );
  // Discussed at an MDT, with an action for someone other than the co-ordinator.
  must(
    s,
    'mdt-discussion',
    {
      meetingId: 'm-0',
      heldOn: '2027-03-01',
      presenterId: 'lead-1',
      decision: 'carry on',
      actions: [{ description: 'GP to review medicines', ownerId: 'gp-1', due: new Date(t + 7 * DAY).toISOString() }],
    },
    at(),
  );
  if (stage === 'active') return s;
  J.hospitalEvent(s, { controlId: 'm1', event: 'A01' }, at());
  if (stage === 'in-hospital') return s;
  J.hospitalEvent(s, { controlId: 'm2', event: 'A03' }, at(48));
  if (stage === 'readmitted') {
    J.hospitalEvent(s, { controlId: 'm3', event: 'A01' }, at(72));
    return s;
  }
  must(s, 'close', { reason: 'goals-met', outcome: {} }, at());
  return s;
}

// Values near and across the schemas' edges: valid ones, wrong types, empty and astral-plane text.
const anyText = fc.oneof(
  fc.constant('ok'),
  fc.constant(''),
  fc.constant('  '),
  fc.string({ maxLength: 12 }),
  fc.constant('moved 😀 \u{10FFFF}'),
  fc.integer(),
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const tierArb = maybe(fc.constantFrom('high', 'medium', 'low', 'extreme'));
const offsetDays = fc.constantFrom(-400, -1, -0.01, 0, 0.01, 1, 30);
const isoAt = (now: number) => offsetDays.map((d) => new Date(now + d * DAY).toISOString());
const localId = fc.constantFrom('a1', 'a2', 'g1', 'nope', '', 'bad id!');
const OPEN_MDT_ACTION = 'open-mdt-action';

/** Arbitrary command bodies per type, `now` known so due dates fall either side of it. */
function commandArb(type: CommandType, now: number): fc.Arbitrary<Record<string, unknown>> {
  const record = (shape: Record<string, fc.Arbitrary<unknown>>) =>
    fc.record(shape, { requiredKeys: [] }) as fc.Arbitrary<Record<string, unknown>>;
  switch (type) {
    case 'triage':
      return record({
        decision: fc.constantFrom('accept', 'decline', 'maybe'),
        reason: anyText,
        riskTier: tierArb,
        closeReason: maybe(fc.constantFrom(...closeReasons)),
      });
    case 'assessment':
      return record({
        summary: anyText,
        needs: fc.array(record({ domain: anyText, description: anyText }), { maxLength: 2 }),
        riskTier: tierArb,
        livesAlone: maybe(fc.boolean()),
        carer: maybe(record({ present: fc.boolean(), strain: maybe(fc.boolean()), relationship: maybe(anyText) })),
      });
    case 'care-plan':
      return record({
        goals: fc.array(record({ id: localId, description: anyText }), { maxLength: 2 }),
        actions: fc.array(
          record({ id: localId, description: anyText, owner: anyText, due: fc.oneof(isoAt(now), anyText) }),
          { maxLength: 3 },
        ),
        agreedWithPatient: fc.oneof(fc.boolean(), fc.constant('yes')),
        agreedWithCarer: maybe(fc.boolean()),
        notAgreedReason: maybe(anyText),
      });
    case 'complete-action':
      return record({ actionId: localId, notes: maybe(anyText) });
    case 'review':
      return record({
        outcome: fc.constantFrom('continue', 'step-down', 'close', 'stop'),
        riskTier: tierArb,
        notes: anyText,
        closeReason: maybe(fc.constantFrom(...closeReasons)),
        closeOutcome: maybe(
          record({
            goalsMet: maybe(fc.constantFrom('all', 'some', 'none')),
            placeOfDeathAchieved: maybe(fc.boolean()),
          }),
        ),
      });
    case 'contact':
      return record({
        kind: fc.constantFrom(...contactKinds, 'email'),
        channel: fc.constantFrom('phone', 'visit', 'video', 'message', 'fax'),
        at: maybe(isoAt(now)),
      });
    case 'record-measure':
      // Complete answers to a shipped instrument (taken or not by the programme), or any answers at all.
      return fc.constantFrom('phq-9', 'ipos', 'gad-7', 'nope').chain((id) => {
        const instrument = shippedInstrument(id);
        const complete = instrument
          ? fc.record(
              Object.fromEntries(
                instrument.items.filter((i) => !i.unscored).map((i) => [i.id, fc.nat(i.answers.length - 1)]),
              ),
            )
          : fc.constant({});
        return record({
          instrument: fc.constant(id),
          answers: fc.oneof(complete, fc.dictionary(localId, fc.oneof(fc.integer({ min: -1, max: 5 }), anyText))),
          at: maybe(isoAt(now)),
        });
      });
    case 'reassign':
      return record({
        coordinatorId: fc.oneof(
          fc.constant('nobody'),
          ...programmes.flatMap((p) => p.teams.flatMap((t) => t.coordinators.map((c) => fc.constant(c.id)))),
        ),
      });
    case 'reported-discharge':
      return record({
        at: fc.oneof(isoAt(now), anyText),
        reportedBy: anyText,
        died: maybe(fc.oneof(fc.boolean(), fc.constant('yes'))),
        notes: maybe(anyText),
      });
    case 'adopt-rules':
      // The journey's own programme's rules (or another's, or rules with a calendar and business
      // days), as the API adds them.
      return record({
        reason: anyText,
        programme: fc.constantFrom(
          ...programmes,
          ...programmes.map((p) => ({
            ...p,
            calendar: { ...calendarDefaults, holidays: ['2027-03-01'] },
            deadlines: { ...p.deadlines, postDischargeContact: '2 business days' },
            escalation: [{ at: '-PT4H', notify: 'team-lead', kind: 'reminder' }, ...p.escalation],
          })),
        ),
      });
    case 'mdt-discussion':
      return record({
        meetingId: fc.constantFrom('m-0', 'm-1', 'm-2', 'bad id!'),
        heldOn: fc.constantFrom('2027-03-10', '2027-13-01', ''),
        presenterId: fc.constantFrom('coord-1', 'lead-1', '', 'bad id!'),
        decision: anyText,
        actions: fc.array(
          record({
            description: anyText,
            ownerId: fc.constantFrom('gp-1', 'coord-1', '', 'no one!'),
            due: fc.oneof(isoAt(now), anyText),
          }),
          { maxLength: 3 },
        ),
      });
    case 'complete-mdt-action':
      // `OPEN_MDT_ACTION` stands for the journey's own open action, whose id the journey chose.
      return record({ actionId: fc.constantFrom(OPEN_MDT_ACTION, '1-1', '999-9', 'a1', ''), notes: maybe(anyText) });
    case 'close':
      return record({
        reason: fc.constantFrom(...closeReasons, 'bored'),
        outcome: maybe(
          record({
            goalsMet: maybe(fc.constantFrom('all', 'some', 'none')),
            placeOfDeathAchieved: maybe(fc.boolean()),
          }),
        ),
      });
  }
}

const caseArb = fc
  .record({
    programme: fc.constantFrom(...programmes),
    stage: fc.constantFrom(...stages),
    type: fc.constantFrom(...commandTypes),
    later: fc.integer({ min: 0, max: 40 * DAY }),
  })
  .chain((c) => {
    const now = T0 + 10 * DAY + c.later;
    return commandArb(c.type, now).map((body) => ({ ...c, now, body }));
  });

describe('journey commands', () => {
  it('apply cleanly once checked, and change nothing when refused', () => {
    const seen = { applied: 0, refused: 0 };
    const appliedByType = new Map<CommandType, number>();
    fc.assert(
      fc.property(caseArb, ({ programme, stage, type, now, body }) => {
        const s = journeyAt(programme, stage);
        const before = structuredClone(s);
        const openAction = s.mdtActions?.find((a) => !a.completedAt)?.id ?? 'none';
        const raw = { by: lead, ...body, ...(body.actionId === OPEN_MDT_ACTION ? { actionId: openAction } : {}) };
        const checked = checkCommand(s, type, raw, now);
        expect(s, 'checking changed the journey').toEqual(before);
        if ('rejected' in checked) {
          seen.refused += 1;
          return;
        }
        seen.applied += 1;
        appliedByType.set(type, (appliedByType.get(type) ?? 0) + 1);
        // As the workflow does: reassignment is applied by the main loop once the caseload store agrees.
        const apply = commandRules[type].apply;
        if (apply)
          expect(
            () => apply(s, checked.command, now),
            `${programme.id} ${stage} ${type} ${JSON.stringify(body)}`,
          ).not.toThrow();
      }),
      { numRuns: 20_000, seed: 20261202 },
    );
    // Both sides of the property were exercised, for a meaningful share of cases.
    expect(seen.applied).toBeGreaterThan(300);
    expect(seen.refused).toBeGreaterThan(300);
    // Every command was applied, not only refused (a recorded measure, too).
    expect(commandTypes.filter((t) => (appliedByType.get(t) ?? 0) < 5)).toEqual([]);
  });

  it('a review that closes a palliative journey asks for the place-of-death outcome before it records anything', () => {
    const palliative = programmes.find((p) => p.recordsPlaceOfDeath)!;
    const s = journeyAt(palliative, 'active');
    const before = structuredClone(s);
    const checked = checkCommand(
      s,
      'review',
      { by: lead, outcome: 'close', closeReason: 'deceased', notes: 'died at home' },
      T0 + 20 * DAY,
    );
    expect(checked).toMatchObject({
      rejected: { type: 'invalid', message: expect.stringContaining('placeOfDeathAchieved') },
    });
    expect(s).toEqual(before);
  });
});
