/**
 * The shipped outcome measures, scored against what their authors publish: each scale's range,
 * PHQ-9's and GAD-7's severity bands at every boundary, the Barthel Index's item weights, IPOS's
 * subscales, and the reliable change index. Incomplete or impossible answers are refused, never
 * prorated.
 */
import { describe, expect, it } from 'vitest';
import { shippedInstrument, shippedInstruments } from '../../domain/instruments.js';
import {
  instrumentSchema,
  rangeOf,
  reliableChange,
  reliableChangePoints,
  scoreMeasure,
  type Answers,
  type Instrument,
} from '../../domain/outcomeMeasures.js';

const [phq9, gad7, ipos, barthel, mcsi] = ['phq-9', 'gad-7', 'ipos', 'barthel', 'mcsi'].map((id) =>
  shippedInstrument(id)!,
) as [Instrument, Instrument, Instrument, Instrument, Instrument];

/** Answers giving each scored item the answer at `index` (clamped to its answers). */
const all = (instrument: Instrument, index: number): Answers =>
  Object.fromEntries(
    instrument.items.filter((i) => !i.unscored).map((i) => [i.id, Math.min(index, i.answers.length - 1)]),
  );

/** Answers to an instrument whose items all share one scale of points 0..n, reaching `total`. */
function reaching(instrument: Instrument, total: number): Answers {
  const answers: Answers = {};
  let left = total;
  for (const item of instrument.items.filter((i) => !i.unscored)) {
    const top = item.answers.length - 1;
    answers[item.id] = Math.min(top, left);
    left -= answers[item.id]!;
  }
  expect(left).toBe(0);
  return answers;
}

const scores = (instrument: Instrument, answers: Answers) => {
  const scored = scoreMeasure(instrument, answers);
  if (!scored.ok) throw new Error(JSON.stringify(scored.errors));
  return Object.fromEntries(scored.scores.map((s) => [s.scale, s]));
};

describe('the shipped outcome measures', () => {
  it('have the ranges their authors publish', () => {
    const ranges = Object.fromEntries(
      [...shippedInstruments().values()].flatMap((i) =>
        i.scales.map((s) => [`${i.id} ${s.id}`, [rangeOf(i, s).min, rangeOf(i, s).max]]),
      ),
    );
    expect(ranges).toEqual({
      'phq-9 total': [0, 27],
      'gad-7 total': [0, 21],
      'ipos total': [0, 68],
      'ipos physical': [0, 40],
      'ipos emotional': [0, 16],
      'ipos communication': [0, 12],
      'barthel total': [0, 100],
      'mcsi total': [0, 26],
    });
    // IPOS: 17 items, 10 physical, 4 emotional and 3 of communication and practical issues.
    const scales = Object.fromEntries(ipos.scales.map((s) => [s.id, s.items.length]));
    expect(scales).toEqual({ total: 17, physical: 10, emotional: 4, communication: 3 });
    for (const i of shippedInstruments().values()) {
      expect(i.licence.shipped).toBe(true);
      expect(instrumentSchema.parse(i)).toEqual(i);
    }
  });

  it('band PHQ-9 (Kroenke 2001) and GAD-7 (Spitzer 2006) at every published boundary', () => {
    const phqBands = [0, 4, 5, 9, 10, 14, 15, 19, 20, 27].map((t) => scores(phq9, reaching(phq9, t)).total!.band);
    expect(phqBands).toEqual([
      'none to minimal',
      'none to minimal',
      'mild',
      'mild',
      'moderate',
      'moderate',
      'moderately severe',
      'moderately severe',
      'severe',
      'severe',
    ]);
    const gadBands = [0, 4, 5, 9, 10, 14, 15, 21].map((t) => scores(gad7, reaching(gad7, t)).total);
    expect(gadBands.map((s) => [s!.score, s!.band])).toEqual([
      [0, 'minimal'],
      [4, 'minimal'],
      [5, 'mild'],
      [9, 'mild'],
      [10, 'moderate'],
      [14, 'moderate'],
      [15, 'severe'],
      [21, 'severe'],
    ]);
  });

  it('leave PHQ-9’s difficulty question out of the score, answered or not', () => {
    const answers = reaching(phq9, 11);
    expect(scores(phq9, answers).total!.score).toBe(11);
    expect(scores(phq9, { ...answers, difficulty: 3 }).total!.score).toBe(11);
  });

  it('flag an answer to PHQ-9’s question on self-harm other than "not at all", whatever the total', () => {
    const none = scoreMeasure(phq9, reaching(phq9, 0));
    const some = scoreMeasure(phq9, { ...reaching(phq9, 0), 'self-harm': 1 });
    expect(none.ok && none.alerts).toEqual([]);
    expect(some.ok && [some.alerts, some.scores[0]!.score, some.scores[0]!.band]).toEqual([
      ['self-harm'],
      1,
      'none to minimal',
    ]);
  });

  it('score the Barthel Index with its published weights, and IPOS by its subscales', () => {
    // Needs help feeding (5), dependent bathing (0), grooms (5), help dressing (5), continent of
    // bowels (10), occasional bladder accident (5), some help at the toilet (5), minor help with
    // transfers (10), walks with one person (10), help on stairs (5): 60 of 100.
    const barthelAnswers = {
      feeding: 1,
      bathing: 0,
      grooming: 1,
      dressing: 1,
      bowels: 2,
      bladder: 1,
      toilet: 1,
      transfers: 2,
      mobility: 2,
      stairs: 1,
    };
    expect(scores(barthel, barthelAnswers).total!.score).toBe(60);
    expect(scores(barthel, all(barthel, 9)).total!.score).toBe(100);
    // Every weight is a multiple of 5, as Mahoney and Barthel give them.
    expect(barthel.items.flatMap((i) => i.answers.map((a) => a.points % 5))).toEqual(
      barthel.items.flatMap((i) => i.answers.map(() => 0)),
    );

    // IPOS: pain severe (3), weakness moderate (2), the rest of the symptoms none; worried most of
    // the time (3), at peace sometimes (2); practical problems partly addressed (2).
    const iposAnswers = { ...all(ipos, 0), pain: 3, weakness: 2, anxious: 3, 'at-peace': 2, practical: 2 };
    const s = scores(ipos, iposAnswers);
    expect([s.total!.score, s.physical!.score, s.emotional!.score, s.communication!.score]).toEqual([12, 5, 5, 2]);
    expect(s.physical!.score + s.emotional!.score + s.communication!.score).toBe(s.total!.score);

    // MCSI: 2 for each "yes, on a regular basis", 1 for each "yes, sometimes".
    expect(scores(mcsi, { ...all(mcsi, 0), sleep: 2, physical: 2, time: 1, financial: 1 }).total!.score).toBe(6);
  });

  it('refuse an unanswered item, an impossible answer and an item the instrument has not, naming each', () => {
    const { ['mood']: _mood, ...unanswered } = reaching(phq9, 3);
    expect(scoreMeasure(phq9, { ...unanswered, sleep: 4, sadness: 1 })).toEqual({
      ok: false,
      errors: [
        { item: 'sadness', message: 'PHQ-9 has no item sadness' },
        { item: 'mood', message: 'unanswered' },
        { item: 'sleep', message: 'answer 4 is not one of its 4' },
      ],
    });
    expect(scoreMeasure(gad7, { ...all(gad7, 0), nervous: 1.5 }).ok).toBe(false);
    expect(scoreMeasure(gad7, { ...all(gad7, 0), nervous: -1 }).ok).toBe(false);
  });
});

describe('reliable change', () => {
  it('is the published threshold in the direction that is better or worse, and nothing where none is published', () => {
    const phq = phq9.scales[0]!;
    expect(reliableChange(phq, 18, 12)).toBe('reliable improvement');
    expect(reliableChange(phq, 18, 13)).toBe('no reliable change');
    expect(reliableChange(phq, 8, 14)).toBe('reliable deterioration');
    const gad = gad7.scales[0]!;
    expect(reliableChange(gad, 10, 14)).toBe('reliable deterioration');
    expect(reliableChange(gad, 10, 7)).toBe('no reliable change');
    expect(reliableChange(barthel.scales[0]!, 40, 90)).toBeUndefined();
    // A higher Barthel is better: configured with a threshold, a rise is an improvement.
    const withThreshold = { ...barthel.scales[0]!, reliableChange: { points: 10, source: 'a service’s own' } };
    expect(reliableChange(withThreshold, 40, 50)).toBe('reliable improvement');
    expect(reliableChange(withThreshold, 50, 40)).toBe('reliable deterioration');
  });

  it('follows Jacobson and Truax (1991) from a population’s SD and reliability', () => {
    // 1.96 × √2 × SD × √(1 − r): SD 7.5 and r 0.8 give 9.30 points.
    expect(reliableChangePoints(7.5, 0.8)).toBeCloseTo(9.2971, 3);
    expect(reliableChangePoints(10, 0.75)).toBeCloseTo(13.859, 3);
    expect(() => reliableChangePoints(0, 0.8)).toThrow(RangeError);
    expect(() => reliableChangePoints(5, 1)).toThrow(RangeError);
  });
});

describe('a licensed instrument a service configures', () => {
  const licensed = {
    id: 'licensed-strain-12',
    name: 'A licensed carer-burden scale',
    source: 'Its publisher',
    licence: { shipped: false, terms: 'Licensed to the service by its publisher' },
    completedBy: 'carer',
    items: ['a', 'b', 'c'].map((id) => ({
      id,
      label: `Item ${id}`,
      answers: [0, 1, 2, 3, 4].map((points) => ({ label: String(points), points })),
    })),
    scales: [{ id: 'total', label: 'Burden', items: ['a', 'b', 'c'], higherIs: 'worse' }],
  };

  it('is scored the same way, once its definition holds together', () => {
    const instrument = instrumentSchema.parse(licensed);
    expect(scores(instrument, { a: 4, b: 2, c: 0 }).total!.score).toBe(6);
    const broken = instrumentSchema.safeParse({
      ...licensed,
      items: [...licensed.items, { ...licensed.items[0]!, id: 'note', unscored: true }],
      scales: [
        { ...licensed.scales[0]!, items: ['a', 'b', 'z', 'note'] },
        {
          ...licensed.scales[0]!,
          bands: [
            { from: 5, label: 'high' },
            { from: 0, label: 'low' },
          ],
        },
      ],
    });
    expect(broken.success).toBe(false);
    expect(broken.error!.issues.map((i) => i.message)).toEqual([
      'scale ids must be unique',
      'z is not a scored item of licensed-strain-12',
      'note is not a scored item of licensed-strain-12',
      'bands must rise',
    ]);
  });
});
