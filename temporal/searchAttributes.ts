/**
 * Search attributes make journeys findable in Temporal (and its Web UI) by care facts only —
 * never by a patient identifier. The dev server and the test server register these names.
 */
import { defineSearchAttributeKey, SearchAttributeType, type TypedSearchAttributes } from '@temporalio/common';
import { nextDueAt } from '../domain/journeyState.js';
import type { JourneyState } from '../domain/journeyState.js';

export const CarePhase = defineSearchAttributeKey('CarePhase', SearchAttributeType.KEYWORD);
export const CareTeam = defineSearchAttributeKey('CareTeam', SearchAttributeType.KEYWORD);
export const CareCoordinator = defineSearchAttributeKey('CareCoordinator', SearchAttributeType.KEYWORD);
export const CareProgramme = defineSearchAttributeKey('CareProgramme', SearchAttributeType.KEYWORD);
export const RiskTier = defineSearchAttributeKey('RiskTier', SearchAttributeType.KEYWORD);
export const NextDueAt = defineSearchAttributeKey('NextDueAt', SearchAttributeType.DATETIME);

export const journeySearchAttributes = [
  CarePhase,
  CareTeam,
  CareCoordinator,
  CareProgramme,
  RiskTier,
  NextDueAt,
] as const;

/**
 * What a journey's search attributes say of it, in one place for the journey (which upserts them
 * when one changes) and the API (which sets them when it starts a journey, unbilled, so that the
 * journey's first round need not upsert them). `null` removes an attribute: a journey with no
 * running deadline has no `NextDueAt`.
 */
export function searchAttributesFor(s: JourneyState) {
  const next = nextDueAt(s);
  return [
    { key: CarePhase, value: s.phase },
    { key: CareTeam, value: s.teamId },
    { key: CareProgramme, value: s.programme.id },
    { key: RiskTier, value: s.risk.tier },
    { key: CareCoordinator, value: s.coordinatorId ?? 'unassigned' },
    { key: NextDueAt, value: next ? new Date(next) : null },
  ] as const;
}

/** The same attributes as a run holds them (`workflowInfo().typedSearchAttributes`), in the same order. */
export function heldSearchAttributes(held: TypedSearchAttributes): unknown[] {
  const keywords = [CarePhase, CareTeam, CareProgramme, RiskTier, CareCoordinator];
  return [...keywords.map((k) => held.get(k)), held.get(NextDueAt)];
}

/** One string per set of values, so a journey can tell whether any changed. */
export const searchKeyOf = (values: readonly unknown[]): string =>
  JSON.stringify(values.map((v) => (v instanceof Date ? v.toISOString() : (v ?? null))));
