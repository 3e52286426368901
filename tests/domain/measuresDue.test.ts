/**
 * Outcome measures in a journey: the baseline falls due after the assessment, each measure opens
 * the next, a measure not taken is chased up the ladder like any deadline, a measure is scored by
 * the journey and refused whole when incomplete, and an answer on self-harm reaches the
 * co-ordinator and the lead at once (HAZ-34). A programme without outcome measures opens none, as
 * every journey started before them did.
 */
import { describe, expect, it } from 'vitest';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import type { Actor } from '../../domain/commands.js';
import { shippedInstrument } from '../../domain/instruments.js';
import * as J from '../../domain/journey.js';
import { checkCommand, commandRules, type CommandType } from '../../domain/journeyCommands.js';
import { fireDueSteps } from '../../domain/journeyState.js';
import type { Notification } from '../../domain/journeyState.js';
import type { ProgrammeInput } from '../../domain/programme.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2027, 2, 1, 9, 30);
const ana: Actor = { sub: 'coord-ana', role: 'coordinator' };
const frailty = builtInProgrammes.find((p) => p.id === 'frailty-virtual-ward')!;

const licensed = {
  id: 'licensed-strain',
  name: 'A licensed carer scale',
  source: 'Its publisher',
  licence: { shipped: false, terms: 'Licensed to the service' },
  completedBy: 'carer' as const,
  items: ['a', 'b'].map((id) => ({
    id,
    label: `Item ${id}`,
    answers: [0, 1, 2].map((points) => ({ label: String(points), points })),
  })),
  scales: [{ id: 'total', label: 'Strain (0–4)', items: ['a', 'b'], higherIs: 'worse' as const }],
};

const [measured, plain] = parseProgrammes(
  {
    programmes: [
      {
        ...frailty,
        id: 'measured',
        outcomes: {
          instruments: [licensed],
          measures: [
            { instrument: 'phq-9', baselineWithin: 'P14D', every: 'P84D' },
            { instrument: 'licensed-strain', every: 'P28D' },
          ],
        },
      } satisfies ProgrammeInput,
      frailty,
    ],
  },
  'test',
) as [J.JourneyState['programme'], J.JourneyState['programme']];

/** Applies a command as the workflow does; answers the refusal, or undefined once applied. */
function send(s: J.JourneyState, type: CommandType, command: Record<string, unknown>, now: number) {
  const checked = checkCommand(s, type, { by: ana, ...command }, now);
  if ('rejected' in checked) return checked.rejected;
  commandRules[type].apply!(s, checked.command, now);
  return undefined;
}

/** A journey of `programme`, assessed at T0 + 1 day. */
function assessed(programme: J.JourneyState['programme']): J.JourneyState {
  const teamId = programme.teams[0]!.id;
  const s = J.newJourney(
    {
      journeyId: `${programme.id}.pabc.0123456789ab`,
      workflowId: `${programme.id}.pabc`,
      patientId: 'pabc',
      programme,
      teamId,
    },
    T0,
  );
  J.receiveReferral(
    s,
    {
      referralId: 'r1',
      receivedAt: new Date(T0).toISOString(),
      source: 'gp',
      reason: 'low mood and falls',
      urgency: 'routine',
      age: 81,
      teamId,
      conditions: ['copd'],
      admissionsLast12Months: 1,
      consentGiven: true,
    },
    T0,
  );
  if (s.phase === 'triage')
    expect(send(s, 'triage', { decision: 'accept', reason: 'meets criteria' }, T0)).toBeUndefined();
  J.assigned(s, 'coord-ana', T0);
  expect(send(s, 'assessment', { summary: 'seen at home', needs: [] }, T0 + DAY)).toBeUndefined();
  return s;
}

const phq9 = shippedInstrument('phq-9')!;
/** PHQ-9 answers adding up to `total`, with `self-harm` as given. */
function phqAnswers(total: number, selfHarm = 0): Record<string, number> {
  const answers: Record<string, number> = { 'self-harm': selfHarm };
  let left = total - selfHarm;
  for (const item of phq9.items.filter((i) => !i.unscored && i.id !== 'self-harm')) {
    answers[item.id] = Math.min(3, left);
    left -= answers[item.id]!;
  }
  return answers;
}
const open = (s: J.JourneyState) =>
  s.deadlines.filter((d) => d.status === 'open' && d.name.startsWith('measure:')).map((d) => [d.id, d.dueAt]);
const notices = (s: J.JourneyState): Notification[] =>
  s.outbox.flatMap((e) => (e.type === 'notify' ? [e.notification] : []));

describe('outcome measures in a journey', () => {
  it('fall due after the assessment, each opening the next, and are scored by the journey', () => {
    const s = assessed(measured);
    expect(open(s)).toEqual([
      ['measure:phq-9#baseline', new Date(T0 + 15 * DAY).toISOString()],
      ['measure:licensed-strain#baseline', new Date(T0 + 15 * DAY).toISOString()],
    ]);
    const at = new Date(T0 + 3 * DAY).toISOString();
    expect(
      send(s, 'record-measure', { instrument: 'phq-9', answers: phqAnswers(12), at }, T0 + 4 * DAY),
    ).toBeUndefined();
    expect(s.measures).toEqual([
      {
        instrument: 'phq-9',
        occasion: 'baseline',
        at,
        by: 'coord-ana',
        scores: [{ scale: 'total', score: 12, band: 'moderate' }],
        seq: s.counters.seq - 1,
      },
    ]);
    const entry = s.timeline.find((e) => e.type === 'measure.recorded')!;
    expect(entry.detail).toBe('PHQ-9, baseline: Depression severity (0–27) 12 (moderate)');
    expect(s.deadlines.find((d) => d.id === 'measure:phq-9#baseline')).toMatchObject({ status: 'met', metAt: at });
    // The next is due 12 weeks after the measure was taken, not after it was recorded.
    expect(open(s)).toEqual([
      ['measure:licensed-strain#baseline', new Date(T0 + 15 * DAY).toISOString()],
      [`measure:phq-9#${s.measures![0]!.seq}`, new Date(T0 + 3 * DAY + 84 * DAY).toISOString()],
    ]);
    expect(send(s, 'record-measure', { instrument: 'phq-9', answers: phqAnswers(5) }, T0 + 90 * DAY)).toBeUndefined();
    expect(s.measures!.map((m) => [m.occasion, m.scores[0]!.score])).toEqual([
      ['baseline', 12],
      ['follow-up', 5],
    ]);
    // The follow-up's audit entry carries its baseline, for evaluation (docs/evaluation.md).
    expect(s.timeline.filter((e) => e.type === 'measure.recorded').at(-1)!.data).toMatchObject({
      occasion: 'follow-up',
      'score.total': 5,
      baselineAt: new Date(T0 + 3 * DAY).toISOString(),
      baselineSeq: s.measures![0]!.seq,
      daysSinceBaseline: 87,
      'baseline.total': 12,
    });
    // However many are taken (more than the journey keeps), each deadline has an id of its own.
    for (let k = 0; k < 120; k++)
      expect(
        send(s, 'record-measure', { instrument: 'phq-9', answers: phqAnswers(k % 20) }, T0 + (91 + k) * DAY),
      ).toBeUndefined();
    const ids = s.deadlines.filter((d) => d.name === 'measure:phq-9').map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(s.deadlines.filter((d) => d.name === 'measure:phq-9' && d.status === 'open')).toHaveLength(1);
    // The journey keeps the latest 100, and always the baseline change is measured from.
    expect(s.measures).toHaveLength(100);
    expect(s.measures!.filter((m) => m.occasion === 'baseline').map((m) => m.scores[0]!.score)).toEqual([12]);
    // A licensed instrument the service configured is scored the same way.
    expect(
      send(s, 'record-measure', { instrument: 'licensed-strain', answers: { a: 2, b: 1 } }, T0 + 91 * DAY),
    ).toBeUndefined();
    expect(s.measures!.at(-1)!.scores).toEqual([{ scale: 'total', score: 3 }]);
  });

  it('are chased up the ladder when not taken, like any deadline', () => {
    const s = assessed(measured);
    s.outbox = [];
    fireDueSteps(s, T0 + 16 * DAY, 'when-due');
    const chased = notices(s).filter((n) => n.deadline.startsWith('measure:'));
    expect(new Set(chased.map((n) => n.deadline))).toEqual(new Set(['measure:phq-9', 'measure:licensed-strain']));
    expect(chased.map((n) => n.kind)).toContain('overdue');
  });

  it('refuse an incomplete measure, one the programme does not take, and one before triage, changing nothing', () => {
    const s = assessed(measured);
    const before = structuredClone(s);
    const { mood: _mood, ...incomplete } = phqAnswers(9);
    expect(send(s, 'record-measure', { instrument: 'phq-9', answers: incomplete }, T0 + 2 * DAY)).toEqual({
      ok: false,
      type: 'invalid',
      message: 'PHQ-9 is not complete: mood: unanswered',
    });
    expect(send(s, 'record-measure', { instrument: 'gad-7', answers: {} }, T0 + 2 * DAY)).toMatchObject({
      type: 'invalid',
      message: expect.stringContaining('takes no gad-7; it takes phq-9, licensed-strain'),
    });
    expect(
      send(
        s,
        'record-measure',
        { instrument: 'phq-9', answers: phqAnswers(3), at: new Date(T0 + 9 * DAY).toISOString() },
        T0 + 2 * DAY,
      ),
    ).toMatchObject({ type: 'invalid', message: expect.stringContaining('in the future') });
    expect(s).toEqual(before);

    const waiting = J.newJourney(
      {
        journeyId: 'measured.pxyz.0123456789ab',
        workflowId: 'measured.pxyz',
        patientId: 'pxyz',
        programme: measured,
        teamId: measured.teams[0]!.id,
      },
      T0,
    );
    expect(send(waiting, 'record-measure', { instrument: 'phq-9', answers: phqAnswers(3) }, T0)).toMatchObject({
      type: 'phase',
    });
  });

  it('tell the co-ordinator and the lead at once of an answer on self-harm, whatever the total (HAZ-34)', () => {
    const s = assessed(measured);
    s.outbox = [];
    expect(send(s, 'record-measure', { instrument: 'phq-9', answers: phqAnswers(2, 1) }, T0 + 2 * DAY)).toBeUndefined();
    expect(s.measures![0]!.scores[0]).toEqual({ scale: 'total', score: 2, band: 'none to minimal' });
    const alerts = notices(s);
    expect(alerts.map((n) => [n.kind, n.level, n.audience?.role])).toEqual([
      ['notice', 0, 'coordinator'],
      ['notice', 1, 'team-lead'],
    ]);
    expect(alerts[0]!.message).toMatch(
      /^PHQ-9: "Thoughts of being better off dead, or of hurting yourself" was answered/,
    );
    // No alert when the answer is "not at all".
    s.outbox = [];
    expect(
      send(s, 'record-measure', { instrument: 'phq-9', answers: phqAnswers(20, 0) }, T0 + 3 * DAY),
    ).toBeUndefined();
    expect(notices(s)).toEqual([]);
  });

  it('are taken at closure with the close command, as the closure occasion paired with the baseline', () => {
    const s = assessed(measured);
    expect(send(s, 'record-measure', { instrument: 'phq-9', answers: phqAnswers(15) }, T0 + 2 * DAY)).toBeUndefined();
    s.outbox = [];
    const closing = {
      reason: 'goals-met',
      outcome: { goalsMet: 'all' },
      measures: [{ instrument: 'phq-9', answers: phqAnswers(7, 1) }],
    };
    expect(send(s, 'close', closing, T0 + 60 * DAY)).toBeUndefined();
    expect(s.phase).toBe('closed');
    expect(s.measures!.map((m) => [m.occasion, m.scores[0]!.score])).toEqual([
      ['baseline', 15],
      ['closure', 7],
    ]);
    const entries = s.timeline.filter((e) => e.type === 'measure.recorded' || e.type === 'journey.closed');
    expect(entries.map((e) => e.type)).toEqual(['measure.recorded', 'measure.recorded', 'journey.closed']);
    expect(entries[1]!.data).toMatchObject({ occasion: 'closure', 'score.total': 7, 'baseline.total': 15 });
    // The measure then due is met by it, not cancelled; the other (not taken) is cancelled.
    const measureDeadlines = s.deadlines.filter((d) => d.name.startsWith('measure:'));
    expect(measureDeadlines.map((d) => [d.name, d.status]).sort()).toEqual([
      ['measure:licensed-strain', 'cancelled'],
      ['measure:phq-9', 'met'],
      ['measure:phq-9', 'met'],
    ]);
    // An answer on self-harm at closure still reaches the co-ordinator and the lead (HAZ-34).
    expect(
      notices(s)
        .filter((n) => n.message.startsWith('PHQ-9: "Thoughts of being better off dead'))
        .map((n) => n.audience?.role),
    ).toEqual(['coordinator', 'team-lead']);
  });

  it('refuse a closure measure after a death, one the programme does not take, twice, or incomplete, changing nothing', () => {
    const s = assessed(measured);
    const before = JSON.stringify(s);
    const close = (measures: unknown[], reason = 'goals-met') =>
      send(s, 'close', { reason, outcome: { placeOfDeathAchieved: true }, measures }, T0 + 30 * DAY);
    expect(close([{ instrument: 'phq-9', answers: phqAnswers(5) }], 'deceased')).toMatchObject({
      message: expect.stringMatching(/after the person has died/),
    });
    expect(close([{ instrument: 'gad-7', answers: {} }])).toMatchObject({
      message: expect.stringMatching(/takes no gad-7 at closure; it takes phq-9, licensed-strain/),
    });
    expect(
      close([
        { instrument: 'phq-9', answers: phqAnswers(5) },
        { instrument: 'phq-9', answers: phqAnswers(6) },
      ]),
    ).toMatchObject({ message: expect.stringMatching(/given twice/) });
    expect(close([{ instrument: 'phq-9', answers: { mood: 1 } }])).toMatchObject({
      message: expect.stringMatching(/PHQ-9 is not complete/),
    });
    expect(JSON.stringify(s)).toBe(before);
    // Closing without one is allowed: evaluation counts the closure as not measured.
    expect(send(s, 'close', { reason: 'goals-met', outcome: {} }, T0 + 30 * DAY)).toBeUndefined();
  });

  it('open nothing in a programme that takes none, as in every journey started before them', () => {
    const s = assessed(plain);
    expect(open(s)).toEqual([]);
    expect(s.measures).toBeUndefined();
    expect(send(s, 'record-measure', { instrument: 'phq-9', answers: phqAnswers(3) }, T0 + 2 * DAY)).toMatchObject({
      type: 'invalid',
      message: expect.stringContaining('takes no phq-9; it takes no outcome measures'),
    });
  });
});
