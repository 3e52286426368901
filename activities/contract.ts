/**
 * The one typed interface through which a journey reaches the outside world. Workflows import
 * it as a type only; the worker registers an implementation (DynamoDB in production and local
 * runs). Every call must be idempotent: Temporal retries activities, and a retry must never
 * notify twice, audit twice or take two caseload places.
 */
import type { Notification, TimelineEntry } from '../domain/journey.js';
import type { JourneySnapshot } from '../domain/record.js';
import type { JourneySummary } from '../domain/views.js';

export interface AssignRequest {
  journeyId: string;
  programmeId: string;
  teamId: string;
  /**
   * The team's co-ordinators and their capacity, from the journey's programme snapshot: used only
   * while the staff directory does not know the team (the directory's are used otherwise).
   */
  coordinators: { id: string; maxCaseload: number }[];
  /** A named co-ordinator (reassignment); otherwise the least-loaded one with capacity. */
  to?: string;
  /** The co-ordinator whose place is released in the same transaction (reassignment). */
  from?: string | null;
}

export interface JourneyActivities {
  /**
   * Takes a caseload place; null when nobody (or the named co-ordinator) has capacity, with
   * `notInTeam` when the named co-ordinator is not one of the team's in the staff directory.
   */
  assignCoordinator(request: AssignRequest): Promise<{ coordinatorId: string | null; notInTeam?: boolean }>;
  releaseCoordinator(request: { journeyId: string; teamId: string; coordinatorId: string }): Promise<void>;
  /** Delivers a notification to each recipient's inbox (and other channels); once per id. */
  notify(notification: Notification): Promise<void>;
  /**
   * What a journey calls after each change: its new timeline entries appended to the record and
   * the audit trail, then its state (the snapshot every read answers from) and its read-model
   * summary written, then the notifications the change made delivered as `notify` delivers them
   * — one activity, so a change costs the journey one round trip to a worker and one billable
   * action. A retry writes nothing twice and delivers each notification once.
   */
  recordJourney(request: {
    audit?: AuditRequest;
    summary?: JourneySummary;
    snapshot?: JourneySnapshot;
    notifications?: Notification[];
  }): Promise<RecordedUpTo>;
  /**
   * Appends timeline entries to the audit trail, and those with content to the record's entries;
   * an entry already written (same seq) is skipped.
   */
  appendAudit(request: AuditRequest): Promise<void>;
  /** Records the journey's state at a revision; an older revision never overwrites a newer one. */
  recordSnapshot(snapshot: JourneySnapshot): Promise<void>;
  /** Writes the read model; an older revision never overwrites a newer one. */
  projectJourney(summary: JourneySummary): Promise<void>;
}

/**
 * What `recordJourney` wrote: the last timeline entry and the revision. The journey takes these
 * from the activity's result, which history keeps, rather than from what it asked: a replay can
 * hand the journey a task's messages before the continuation that asked, so that what it would ask
 * then is not what it asked live.
 */
export interface RecordedUpTo {
  audited: number | null;
  revision: number | null;
}

export interface AuditRequest {
  journeyId: string;
  programmeId: string;
  teamId: string;
  events: TimelineEntry[];
}
