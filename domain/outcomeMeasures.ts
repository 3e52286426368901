/**
 * Outcome measures (issue 21): what an instrument is, how a completed one is scored, and when a
 * change between two of them is more than measurement error.
 *
 * An instrument is data, not code: its items, each item's answers and the points each is worth,
 * and its scales (a total, or subscales), each the sum of its items' points, exactly as the
 * instrument's authors define it. The instruments carepath ships are in domain/instruments.ts; a
 * licensed one a service holds a licence for is configured in the same shape in its programme file
 * (and never shipped). No scale is prorated: its authors define each as the sum of all its items,
 * so a measure with an item unanswered is refused, and the co-ordinator records it complete or not
 * at all.
 */
import { z } from 'zod';

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and hyphens');

/**
 * How an instrument (its panel) or a scale (its score) is coded when exported as FHIR: LOINC where
 * LOINC has a code, so a GP system or shared care record files it with its own; otherwise
 * carepath's own code (lambdas/measuresFhir.ts).
 */
const coding = z.object({ system: z.string().url(), code: z.string().min(1), display: z.string().min(1) });

export const instrumentSchema = z.lazy(() =>
  z
    .object({
      id,
      name: z.string().min(1),
      /** Who made it and where its scoring is published: what the scoring here was checked against. */
      source: z.string().min(1),
      /** Whether carepath may ship it, and on what terms; a licensed instrument is configured by the service that holds the licence. */
      licence: z.object({ shipped: z.boolean(), terms: z.string().min(1) }),
      /** Who completes it: the person, their carer (a carer-strain measure), or staff observing. */
      completedBy: z.enum(['person', 'carer', 'staff']),
      coding: coding.optional(),
      items: z
        .array(
          z.object({
            id,
            /** A short label for the item; the full wording is the licence holder's to print. */
            label: z.string().min(1),
            answers: z.array(z.object({ label: z.string().min(1), points: z.number().int() })).min(2),
            /** Asked but not part of any scale (PHQ-9's question on how difficult the problems made life). */
            unscored: z.boolean().optional(),
            /**
             * An answer worth at least these points must reach a person now, whatever the score
             * (PHQ-9's question on thoughts of self-harm): the journey tells the co-ordinator and the
             * team lead the moment it is recorded (HAZ-34).
             */
            alertFrom: z.number().int().optional(),
          }),
        )
        .min(1),
      scales: z
        .array(
          z.object({
            id,
            label: z.string().min(1),
            /** The items whose points it sums. */
            items: z.array(id).min(1),
            /** Whether a higher score means things are worse (PHQ-9) or better (Barthel). */
            higherIs: z.enum(['worse', 'better']),
            /** Published severity bands, from each band's lowest score. */
            bands: z.array(z.object({ from: z.number().int(), label: z.string().min(1) })).optional(),
            /**
             * The change in points that is more than measurement error (the reliable change index,
             * Jacobson & Truax 1991), as published for the instrument, with where from. Without one,
             * evaluation reports change from baseline but no reliable improvement or deterioration.
             */
            reliableChange: z.object({ points: z.number().positive(), source: z.string().min(1) }).optional(),
            coding: coding.optional(),
          }),
        )
        .min(1),
    })
    .superRefine((instrument, ctx) => {
      const itemIds = instrument.items.map((i) => i.id);
      if (new Set(itemIds).size !== itemIds.length)
        ctx.addIssue({ code: 'custom', path: ['items'], message: 'item ids must be unique' });
      const scaleIds = instrument.scales.map((s) => s.id);
      if (new Set(scaleIds).size !== scaleIds.length)
        ctx.addIssue({ code: 'custom', path: ['scales'], message: 'scale ids must be unique' });
      instrument.scales.forEach((scale, s) => {
        for (const item of scale.items) {
          const found = instrument.items.find((i) => i.id === item);
          if (!found || found.unscored)
            ctx.addIssue({
              code: 'custom',
              path: ['scales', s, 'items'],
              message: `${item} is not a scored item of ${instrument.id}`,
            });
        }
        const froms = (scale.bands ?? []).map((b) => b.from);
        if (froms.some((f, i) => i > 0 && f <= froms[i - 1]!))
          ctx.addIssue({ code: 'custom', path: ['scales', s, 'bands'], message: 'bands must rise' });
      });
    }),
);

export type Instrument = z.infer<typeof instrumentSchema>;
export type Scale = Instrument['scales'][number];

/** A completed measure's answers: for each item, the index of the answer given. */
export type Answers = Record<string, number>;

export interface ScaleScore {
  scale: string;
  score: number;
  /** The published band the score falls in, where the instrument has them. */
  band?: string;
}

export type Scored =
  | {
      ok: true;
      scores: ScaleScore[];
      /** Items whose answer must reach a person now (`alertFrom`). */ alerts: string[];
    }
  | { ok: false; errors: { item: string; message: string }[] };

/** The lowest and highest score a scale can take. */
export function rangeOf(instrument: Instrument, scale: Scale): { min: number; max: number } {
  const points = scale.items.map((item) => instrument.items.find((i) => i.id === item)!.answers.map((a) => a.points));
  return {
    min: points.reduce((n, p) => n + Math.min(...p), 0),
    max: points.reduce((n, p) => n + Math.max(...p), 0),
  };
}

/**
 * Scores a completed measure: every scale is the sum of its items' points. Refused, with every
 * item at fault named, when an item is unanswered (unscored items may be), an answer is not one of
 * the item's, or an answer names no item of the instrument.
 */
export function scoreMeasure(instrument: Instrument, answers: Answers): Scored {
  const errors: { item: string; message: string }[] = [];
  for (const item of Object.keys(answers))
    if (!instrument.items.some((i) => i.id === item))
      errors.push({ item, message: `${instrument.name} has no item ${item}` });
  for (const item of instrument.items) {
    const given = answers[item.id];
    if (given === undefined) {
      if (!item.unscored) errors.push({ item: item.id, message: 'unanswered' });
    } else if (!Number.isInteger(given) || given < 0 || given >= item.answers.length)
      errors.push({ item: item.id, message: `answer ${given} is not one of its ${item.answers.length}` });
  }
  if (errors.length > 0) return { ok: false, errors };
  const pointsOf = (item: string) => instrument.items.find((i) => i.id === item)!.answers[answers[item]!]!.points;
  return {
    ok: true,
    alerts: instrument.items
      .filter((i) => i.alertFrom !== undefined && answers[i.id] !== undefined && pointsOf(i.id) >= i.alertFrom)
      .map((i) => i.id),
    scores: instrument.scales.map((scale) => {
      const score = scale.items.reduce((n, item) => n + pointsOf(item), 0);
      const band = [...(scale.bands ?? [])].reverse().find((b) => score >= b.from)?.label;
      return { scale: scale.id, score, ...(band ? { band } : {}) };
    }),
  };
}

export type ReliableChange = 'reliable improvement' | 'reliable deterioration' | 'no reliable change';

/**
 * Whether the change from `baseline` to `later` on a scale is more than measurement error: at
 * least the scale's published reliable-change points, in the direction that is better or worse.
 * Undefined when the scale publishes none.
 */
export function reliableChange(scale: Scale, baseline: number, later: number): ReliableChange | undefined {
  if (!scale.reliableChange) return undefined;
  const change = later - baseline;
  if (Math.abs(change) < scale.reliableChange.points) return 'no reliable change';
  const better = scale.higherIs === 'better' ? change > 0 : change < 0;
  return better ? 'reliable improvement' : 'reliable deterioration';
}

/**
 * The reliable change threshold in points from a population's standard deviation and the scale's
 * reliability (Jacobson & Truax 1991): 1.96 × √2 × SD × √(1 − r). For a service that configures a
 * scale's threshold from its own population rather than a published one.
 */
export function reliableChangePoints(sd: number, reliability: number): number {
  if (!(sd > 0) || !(reliability > 0 && reliability < 1))
    throw new RangeError('the standard deviation must be positive and the reliability between 0 and 1');
  return 1.96 * Math.SQRT2 * sd * Math.sqrt(1 - reliability);
}
