/**
 * Search attributes make journeys findable in Temporal (and its Web UI) by care facts only —
 * never by a patient identifier. The dev server and the test server register these names.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

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
