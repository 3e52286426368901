/**
 * Whether people are better off (issue 21): for one scale of an outcome measure, the change from
 * each person's baseline to their later measure, its mean with a 95% confidence interval, and the
 * share of people whose change was reliable (domain/outcomeMeasures.ts). Every figure carries its
 * denominator: how many people had a later measure of all who had a baseline ("PHQ-9 at follow-up:
 * 41 of 63 people"), so a figure from a few is seen to be from a few.
 *
 * The interval is Student's t on the paired changes (the t quantile from jStat, a maintained
 * statistics library), as a commissioner's analyst would compute it; with fewer than two people
 * there is none.
 */
// jStat is UMD: Node's ESM loader (npm start, the Lambda) sees only its default export.
import jstat from 'jstat';
import { reliableChange, type Scale } from './outcomeMeasures.js';

const { jStat } = jstat;

/** One person's baseline and, when they have one, later score on the scale. */
export interface PersonScores {
  baseline: number;
  later?: number;
}

// A type, not an interface: the metrics response schema (lambdas/responses.ts) checks it fits.
export type ChangeFromBaseline = {
  /** People with a later measure, of all with a baseline. */
  measured: number;
  of: number;
  meanBaseline: number | null;
  meanLater: number | null;
  /** Later minus baseline: negative is better on a scale where higher is worse. */
  meanChange: number | null;
  ci95: [number, number] | null;
  /** Counts and shares of `measured`; null where the scale publishes no reliable change. */
  reliable: { improved: number; deteriorated: number; unchanged: number } | null;
};

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const round = (x: number) => Math.round(x * 1000) / 1000;

/** The 95% confidence interval of the mean of `xs` (Student's t), or null for fewer than two. */
export function meanInterval(xs: number[]): [number, number] | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
  const half = jStat.studentt.inv(0.975, xs.length - 1) * (sd / Math.sqrt(xs.length));
  return [m - half, m + half];
}

export function changeFromBaseline(scale: Scale, people: PersonScores[]): ChangeFromBaseline {
  const paired = people.filter((p): p is Required<PersonScores> => p.later !== undefined);
  const changes = paired.map((p) => p.later - p.baseline);
  const interval = meanInterval(changes);
  const verdicts = scale.reliableChange ? paired.map((p) => reliableChange(scale, p.baseline, p.later)) : undefined;
  const count = (v: string) => verdicts!.filter((x) => x === v).length;
  return {
    measured: paired.length,
    of: people.length,
    meanBaseline: people.length ? round(mean(people.map((p) => p.baseline))) : null,
    meanLater: paired.length ? round(mean(paired.map((p) => p.later))) : null,
    meanChange: changes.length ? round(mean(changes)) : null,
    ci95: interval ? [round(interval[0]), round(interval[1])] : null,
    reliable: verdicts
      ? {
          improved: count('reliable improvement'),
          deteriorated: count('reliable deterioration'),
          unchanged: count('no reliable change'),
        }
      : null,
  };
}
