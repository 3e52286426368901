/**
 * An explainable additive risk score: each factor adds points, every point is listed with the
 * reason it was given, and the total (capped at 1) sets the tier from the programme's thresholds.
 * Co-ordinators can see exactly why a person is high risk — and challenge it.
 */
import type { RiskModel } from './programme.js';

export type RiskTier = 'high' | 'medium' | 'low';
export const riskTiers: readonly RiskTier[] = ['high', 'medium', 'low'];

export interface RiskInputs {
  age: number;
  conditions: readonly string[];
  admissionsLast12Months?: number | undefined;
  livesAlone?: boolean | undefined;
  hasCarer?: boolean | undefined;
  carerStrain?: boolean | undefined;
}

export interface RiskFactor {
  factor: string;
  points: number;
  detail: string;
}

export interface RiskScore {
  score: number;
  tier: RiskTier;
  factors: RiskFactor[];
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

export function scoreRisk(model: RiskModel, inputs: RiskInputs): RiskScore {
  const factors: RiskFactor[] = [];
  const add = (factor: string, points: number, detail: string): void => {
    if (points > 0) factors.push({ factor, points: round(points), detail });
  };
  const w = model.weights;

  const yearsOver = Math.max(0, inputs.age - model.ageFrom);
  add(
    'age',
    Math.min(model.caps.age, yearsOver * w.agePerYear),
    `age ${inputs.age}, ${yearsOver} years over ${model.ageFrom}`,
  );

  const conditions = [...new Set(inputs.conditions.map((c) => c.trim().toLowerCase()))];
  const conditionPoints = conditions.reduce((sum, c) => sum + (model.conditions[c] ?? w.perCondition), 0);
  add('long-term conditions', Math.min(model.caps.conditions, conditionPoints), conditions.join(', '));

  const admissions = inputs.admissionsLast12Months ?? 0;
  add(
    'admissions',
    Math.min(model.caps.admissions, admissions * w.perAdmission),
    `${admissions} admissions in the last 12 months`,
  );

  if (inputs.livesAlone) add('lives alone', w.livesAlone, 'lives alone');
  if (inputs.hasCarer === false) add('no carer', w.noCarer, 'no informal carer');
  if (inputs.carerStrain) add('carer strain', w.carerStrain, 'carer reports strain');

  const score = round(
    Math.min(
      1,
      factors.reduce((sum, f) => sum + f.points, 0),
    ),
  );
  return { score, tier: tierFor(model, score), factors };
}

export function tierFor(model: RiskModel, score: number): RiskTier {
  if (score >= model.tiers.high) return 'high';
  if (score >= model.tiers.medium) return 'medium';
  return 'low';
}

/** One tier less intensive, as a review that steps care down asks for. */
export function stepDown(tier: RiskTier): RiskTier {
  return tier === 'high' ? 'medium' : 'low';
}
