/**
 * Outcome measures in a journey (issue 21): when each of its programme's measures is due, and
 * recording one. Each is a deadline like any other (`measure:<instrument>`), so a measure not
 * taken is chased up the programme's ladder: the baseline is due a set time after the holistic
 * assessment, and each measure opens the next, due `every` after it. The journey scores what was
 * answered (domain/outcomeMeasures.ts); the record keeps the answers themselves. An answer that
 * must reach someone now (PHQ-9's question on self-harm) tells the co-ordinator and the team lead
 * at once, whatever the score (HAZ-34).
 */
import { iso, ms } from './durations.js';
import type { By, CloseCommand, RecordMeasureCommand } from './commands.js';
import { scoreMeasure, type Instrument, type ScaleScore } from './outcomeMeasures.js';
import { instrumentOf } from './programme.js';
import {
  audienceFor,
  dueAfter,
  JourneyRuleError,
  meet,
  notify,
  openDeadlineNamed,
  phaseError,
  recipientsFor,
  record,
  type JourneyState,
  type RecordedMeasure,
} from './journeyState.js';

/** The measures a journey keeps in its state; the audit trail and the record keep every one. */
export const MEASURES_KEPT = 100;

/**
 * The latest `MEASURES_KEPT`, but never a baseline: change is measured from it, and a journey that
 * forgot it would call its next measure a baseline again.
 */
function keptMeasures(measures: RecordedMeasure[]): RecordedMeasure[] {
  let over = measures.length - MEASURES_KEPT;
  return measures.filter((m) => m.occasion === 'baseline' || over-- <= 0);
}

/** What a later measure's audit event says of its baseline (docs/evaluation.md). */
function baselineData(baseline: RecordedMeasure, at: number): Record<string, string | number> {
  return {
    baselineAt: baseline.at,
    ...(baseline.seq !== undefined ? { baselineSeq: baseline.seq } : {}),
    daysSinceBaseline: Math.round(((at - ms(baseline.at)) / 86_400_000) * 100) / 100,
    ...Object.fromEntries(baseline.scores.map((x) => [`baseline.${x.scale}`, x.score])),
  };
}

export const measureDeadline = (instrument: string): string => `measure:${instrument}`;

const openMeasure = (s: JourneyState, instrument: string) =>
  s.deadlines.find((d) => d.name === measureDeadline(instrument) && d.status === 'open');

const measuresOf = (s: JourneyState, instrument: string) =>
  (s.measures ?? []).filter((m) => m.instrument === instrument);

/**
 * Opens the baseline of each of the programme's measures not yet taken, once the holistic
 * assessment is recorded. A measure taken earlier in the assessment is the baseline already.
 */
export function openBaselineMeasures(s: JourneyState, now: number): void {
  for (const m of s.programme.outcomes?.measures ?? []) {
    if (measuresOf(s, m.instrument).length > 0 || openMeasure(s, m.instrument)) continue;
    openDeadlineNamed(
      s,
      measureDeadline(m.instrument),
      now,
      dueAfter(s, now, m.baselineWithin),
      `${measureDeadline(m.instrument)}#baseline`,
    );
  }
}

/** The instrument, and the measure as scored; throws a JourneyRuleError when it cannot be recorded now. */
export function checkRecordMeasure(
  s: JourneyState,
  cmd: RecordMeasureCommand,
  now: number,
): { instrument: Instrument; every: string; scores: ScaleScore[]; alerts: string[] } {
  if (s.phase === 'closed' || s.phase === 'referred' || s.communityPhase === 'triage')
    throw phaseError(s, 'record an outcome measure');
  const schedule = s.programme.outcomes?.measures.find((m) => m.instrument === cmd.instrument);
  const instrument = schedule ? instrumentOf(s.programme, cmd.instrument) : undefined;
  if (!instrument) {
    const taken = s.programme.outcomes?.measures.map((m) => m.instrument) ?? [];
    throw new JourneyRuleError(
      'invalid',
      `${s.programme.name} takes no ${cmd.instrument}; it takes ${taken.length > 0 ? taken.join(', ') : 'no outcome measures'}`,
    );
  }
  if (cmd.at && ms(cmd.at) > now)
    throw new JourneyRuleError('invalid', `a measure cannot be in the future (${cmd.at})`);
  if (cmd.at && ms(cmd.at) < ms(s.openedAt))
    throw new JourneyRuleError('invalid', `a measure cannot be before the journey opened (${s.openedAt})`);
  const scored = scoreMeasure(instrument, cmd.answers);
  if (!scored.ok)
    throw new JourneyRuleError(
      'invalid',
      `${instrument.name} is not complete: ${scored.errors.map((e) => `${e.item}: ${e.message}`).join('; ')}`,
    );
  return { instrument, every: schedule!.every, scores: scored.scores, alerts: scored.alerts };
}

export function recordMeasure(s: JourneyState, cmd: By<RecordMeasureCommand>, now: number): void {
  const { instrument, every, scores, alerts } = checkRecordMeasure(s, cmd, now);
  const at = cmd.at ? ms(cmd.at) : now;
  const occasion = measuresOf(s, instrument.id).length === 0 ? 'baseline' : 'follow-up';
  const measure = takeMeasure(s, { instrument, scores, alerts }, occasion, at, cmd.by, now);
  meet(s, openMeasure(s, instrument.id), at, cmd.by);
  // Named by the record entry of the measure that opened it: unique however many a journey keeps.
  const next = `${measureDeadline(instrument.id)}#${measure.seq}`;
  openDeadlineNamed(s, measureDeadline(instrument.id), now, dueAfter(s, at, every), next);
}

/**
 * The measures a close command carries, scored; throws a JourneyRuleError when one cannot be
 * taken: after a death, one the programme does not take at closure, one given twice, or one
 * incomplete.
 */
export function checkClosureMeasures(
  s: JourneyState,
  cmd: Pick<CloseCommand, 'reason' | 'measures'>,
): { instrument: Instrument; scores: ScaleScore[]; alerts: string[] }[] {
  const given = cmd.measures ?? [];
  if (given.length > 0 && cmd.reason === 'deceased')
    throw new JourneyRuleError('invalid', 'no outcome measure is taken at closure after the person has died');
  const seen = new Set<string>();
  return given.map((m) => {
    const schedule = s.programme.outcomes?.measures.find((x) => x.instrument === m.instrument && x.atClosure);
    const instrument = schedule ? instrumentOf(s.programme, m.instrument) : undefined;
    if (!instrument) {
      const taken = s.programme.outcomes?.measures.filter((x) => x.atClosure).map((x) => x.instrument) ?? [];
      throw new JourneyRuleError(
        'invalid',
        `${s.programme.name} takes no ${m.instrument} at closure; it takes ${taken.length > 0 ? taken.join(', ') : 'none'}`,
      );
    }
    if (seen.has(instrument.id)) throw new JourneyRuleError('invalid', `${instrument.name} is given twice`);
    seen.add(instrument.id);
    const scored = scoreMeasure(instrument, m.answers);
    if (!scored.ok)
      throw new JourneyRuleError(
        'invalid',
        `${instrument.name} is not complete: ${scored.errors.map((e) => `${e.item}: ${e.message}`).join('; ')}`,
      );
    return { instrument, scores: scored.scores, alerts: scored.alerts };
  });
}

/**
 * Records the measures taken at closure, as the closure occasion, and meets any measure then due:
 * called by closing, before the journey's deadlines are cancelled. An answer on self-harm still
 * reaches the co-ordinator and the lead at once (HAZ-34).
 */
export function recordClosureMeasures(s: JourneyState, cmd: By<CloseCommand>, now: number): void {
  for (const taken of checkClosureMeasures(s, cmd)) {
    takeMeasure(s, taken, 'closure', now, cmd.by, now);
    meet(s, openMeasure(s, taken.instrument.id), now, cmd.by);
  }
}

/** Records one scored measure: the audit entry (with its baseline), the journey's copy, and any alert. */
function takeMeasure(
  s: JourneyState,
  { instrument, scores, alerts }: { instrument: Instrument; scores: ScaleScore[]; alerts: string[] },
  occasion: RecordedMeasure['occasion'],
  at: number,
  by: By<RecordMeasureCommand>['by'],
  now: number,
): RecordedMeasure {
  const baseline = measuresOf(s, instrument.id).find((m) => m.occasion === 'baseline');
  const described = scores
    .map((score) => {
      const scale = instrument.scales.find((x) => x.id === score.scale)!;
      return `${scale.label} ${score.score}${score.band ? ` (${score.band})` : ''}`;
    })
    .join('; ');
  record(s, now, 'measure.recorded', by, `${instrument.name}, ${occasion}: ${described}`, {
    instrument: instrument.id,
    occasion,
    at: iso(at),
    ...Object.fromEntries(scores.map((x) => [`score.${x.scale}`, x.score])),
    // A later measure carries its baseline, so evaluation can pair the two however long ago the
    // baseline was, and leave the pair out when the baseline is marked entered in error.
    ...(occasion !== 'baseline' && baseline ? baselineData(baseline, at) : {}),
  });
  const measure: RecordedMeasure = { instrument: instrument.id, occasion, at: iso(at), by: by.sub, scores };
  measure.seq = s.counters.seq;
  s.measures = keptMeasures([...(s.measures ?? []), measure]);
  for (const item of alerts) {
    const label = instrument.items.find((i) => i.id === item)!.label;
    for (const role of ['coordinator', 'team-lead'] as const)
      notify(s, now, {
        key: `measure-alert:${instrument.id}#${s.counters.seq}:${item}:${role}`,
        kind: 'notice',
        level: role === 'coordinator' ? 0 : 1,
        deadline: measureDeadline(instrument.id),
        recipients: recipientsFor(s, role),
        audience: audienceFor(s, role),
        message: `${instrument.name}: "${label}" was answered other than "not at all". Review the person's safety today.`,
      });
  }
  return measure;
}
