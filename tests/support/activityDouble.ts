/**
 * A stand-in for the data layer's activities, for workflow tests only. It keeps the contract's
 * promises — idempotent by id, never over capacity — and records every call, including repeats,
 * so tests can tell "notified once" from "notified, retried, deduplicated".
 */
import type { AssignRequest, JourneyActivities } from '../../activities/contract.js';
import type { Notification, TimelineEntry } from '../../domain/journey.js';
import type { JourneySummary } from '../../domain/views.js';

export interface ActivityDouble {
  activities: JourneyActivities;
  /** Delivered notifications, first delivery of each id only. */
  notifications: Notification[];
  /** Every notify call, repeats included. */
  notifyCalls: string[];
  audit: Map<string, TimelineEntry[]>;
  readModel: Map<string, JourneySummary>;
  caseload: Map<string, Set<string>>;
  /** Make the next `n` calls of an activity fail (as an outage would). */
  failNext(activity: keyof JourneyActivities, n: number): void;
}

export function createActivityDouble(): ActivityDouble {
  const notifications: Notification[] = [];
  const notifyCalls: string[] = [];
  const audit = new Map<string, TimelineEntry[]>();
  const readModel = new Map<string, JourneySummary>();
  const caseload = new Map<string, Set<string>>();
  const failures = new Map<string, number>();
  const maybeFail = (name: string): void => {
    const left = failures.get(name) ?? 0;
    if (left > 0) {
      failures.set(name, left - 1);
      throw new Error(`${name} unavailable (injected)`);
    }
  };
  const load = (id: string) => caseload.get(id) ?? caseload.set(id, new Set()).get(id)!;

  const activities: JourneyActivities = {
    async assignCoordinator(req: AssignRequest) {
      maybeFail('assignCoordinator');
      const holding = req.coordinators.find((c) => load(c.id).has(req.journeyId));
      if (!req.to && holding) return { coordinatorId: holding.id }; // a retry of a place already taken
      const candidates = req.to ? req.coordinators.filter((c) => c.id === req.to) : req.coordinators;
      const free = candidates
        .filter((c) => load(c.id).size < c.maxCaseload || load(c.id).has(req.journeyId))
        .sort((a, b) => load(a.id).size - load(b.id).size || a.id.localeCompare(b.id))[0];
      if (!free) return { coordinatorId: null };
      if (req.from) load(req.from).delete(req.journeyId);
      load(free.id).add(req.journeyId);
      return { coordinatorId: free.id };
    },
    async releaseCoordinator({ journeyId, coordinatorId }) {
      maybeFail('releaseCoordinator');
      load(coordinatorId).delete(journeyId);
    },
    async notify(n) {
      maybeFail('notify');
      notifyCalls.push(n.id);
      if (!notifications.some((x) => x.id === n.id)) notifications.push(n);
    },
    async appendAudit({ journeyId, events }) {
      maybeFail('appendAudit');
      const trail = audit.get(journeyId) ?? audit.set(journeyId, []).get(journeyId)!;
      for (const e of events) if (!trail.some((x) => x.seq === e.seq)) trail.push(e);
    },
    async projectJourney(summary) {
      maybeFail('projectJourney');
      const current = readModel.get(summary.id);
      if (!current || current.revision < summary.revision) readModel.set(summary.id, summary);
    },
  };
  return { activities, notifications, notifyCalls, audit, readModel, caseload, failNext: (a, n) => failures.set(a, n) };
}
