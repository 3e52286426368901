/**
 * The metrics of a programme's (or every programme's) teams in a period, as the API, the CSV and
 * the quarterly report give them: the events gathered from the read model, and the one pure
 * computation of domain/metrics.ts. Who may see which teams, and whether small numbers are hidden,
 * is the caller's to decide.
 */
import type { ReadModel } from '../activities/readModel.js';
import { EVALUATION_LOOKBACK_DAYS } from '../domain/evaluationFigures.js';
import { computeMetrics, type Metrics } from '../domain/metrics.js';
import type { Programme } from '../domain/programme.js';

const DAY = 86_400_000;

export interface MetricsScope {
  /** The programmes whose figures are wanted (their teams' events are filtered to them). */
  programmes: readonly Programme[];
  /** The teams whose events are read. */
  teamIds: readonly string[];
  /** When one programme is asked for, events of other programmes' journeys in its teams are left out. */
  programmeId?: string;
  from: Date;
  to: Date;
}

export async function metricsFor(
  read: Pick<ReadModel, 'eventsOfTeam' | 'entriesInErrorOf'>,
  scope: MetricsScope,
): Promise<Metrics> {
  const { from, to } = scope;
  // Evaluation follows people from their baseline and referral, before the period began.
  const since = new Date(from.getTime() - EVALUATION_LOOKBACK_DAYS * DAY);
  const events = (await Promise.all(scope.teamIds.map((t) => read.eventsOfTeam(t, since, to))))
    .flat()
    .filter((e) => !scope.programmeId || e.programmeId === scope.programmeId);
  const measured = events.filter((e) => e.type === 'measure.recorded').map((e) => e.journeyId);
  const enteredInError = measured.length > 0 ? await read.entriesInErrorOf(measured) : new Map<string, Set<number>>();
  return computeMetrics(events, { from, to }, { programmes: scope.programmes, enteredInError });
}
