/**
 * Deadlines are data, not coroutines. Each one is `{dueAt, status, ladderStep}`; the programme's
 * escalation ladder is a list of offsets from `dueAt`. The workflow asks "what is the earliest
 * ladder step still to fire?", sleeps until then, fires what is due and asks again. Meeting a
 * deadline stops its ladder because a met deadline has no pending steps; a hospital stay pauses
 * one by marking it paused. Because due times are absolute instants, they survive
 * continue-as-new, worker restarts and outages unchanged.
 */
import { addDuration, iso, ms } from './durations.js';
import type { EscalationStep } from './programme.js';

/**
 * `assessment`, `care-plan`, `review`, `post-discharge-contact`, `triage`, `action:<actionId>`,
 * `measure:<instrument>` or `mdt-action:<actionId>`.
 */
export type DeadlineName = string;

export interface Deadline {
  /** Unique within the journey: the name, plus `#n` for ones that recur (`review#3`). */
  id: string;
  name: DeadlineName;
  openedAt: string;
  dueAt: string;
  status: 'open' | 'met' | 'cancelled';
  /** Index of the next ladder step to fire; equal to the ladder's length once it has run out. */
  ladderStep: number;
  /** Set while the person is in hospital: the clock is stopped and no step fires. */
  pausedSince?: string;
  metAt?: string;
  /** Why it was cancelled, for the timeline (superseded, journey closed, action removed). */
  cancelledBecause?: string;
  /**
   * Where the ladder's offsets count from, when not `dueAt`: a deadline opened already overdue
   * gives its overdue notice on opening, and the steps after it follow from then (HAZ-06).
   */
  ladderFrom?: string;
  /**
   * The person who owns the work, when it is not the journey's co-ordinator (an action agreed at an
   * MDT): the ladder's steps for the co-ordinator go to them instead (domain/staff.ts).
   */
  owner?: string;
}

export interface DueStep {
  deadline: Deadline;
  stepIndex: number;
  step: EscalationStep;
  at: number;
}

/**
 * When a ladder step may be delivered, given when it falls due: the next working moment on a
 * calendar with quiet hours (domain/workingCalendar.ts), or the same instant.
 */
export type Deliverable = (dueAt: number) => number;
const atOnce: Deliverable = (t) => t;

/** When a ladder step fires: its offset from the due time, moved out of quiet hours. */
export function stepTime(deadline: Deadline, step: EscalationStep, deliverable: Deliverable = atOnce): number {
  return deliverable(addDuration(ms(deadline.ladderFrom ?? deadline.dueAt), step.at));
}

/** Live deadlines whose ladder still has steps to fire. */
function running(deadlines: readonly Deadline[], ladder: readonly EscalationStep[]): Deadline[] {
  return deadlines.filter((d) => d.status === 'open' && !d.pausedSince && d.ladderStep < ladder.length);
}

/** When the next ladder step of any deadline falls due, or undefined when none is pending. */
export function nextStepAt(
  deadlines: readonly Deadline[],
  ladder: readonly EscalationStep[],
  deliverable: Deliverable = atOnce,
): number | undefined {
  let next: number | undefined;
  for (const d of running(deadlines, ladder)) {
    const at = stepTime(d, ladder[d.ladderStep]!, deliverable);
    if (next === undefined || at < next) next = at;
  }
  return next;
}

/**
 * Every ladder step due at `now`, oldest first. After an outage several steps of one deadline may
 * be due at once; each is returned (and so fired) once, in ladder order.
 */
export function dueSteps(
  deadlines: readonly Deadline[],
  ladder: readonly EscalationStep[],
  now: number,
  deliverable: Deliverable = atOnce,
): DueStep[] {
  const due: DueStep[] = [];
  for (const d of running(deadlines, ladder)) {
    for (let i = d.ladderStep; i < ladder.length; i += 1) {
      // Moving a step out of quiet hours never moves it before the one ahead of it, so the ladder's order holds.
      const at = stepTime(d, ladder[i]!, deliverable);
      if (at > now) break;
      due.push({ deadline: d, stepIndex: i, step: ladder[i]!, at });
    }
  }
  return due.sort((a, b) => a.at - b.at || a.stepIndex - b.stepIndex);
}

/** The deadline status clients see: `overdue` is an open deadline past its due time. */
export function displayStatus(deadline: Deadline, now: number): 'open' | 'met' | 'overdue' | 'cancelled' {
  if (deadline.status !== 'open') return deadline.status;
  return !deadline.pausedSince && ms(deadline.dueAt) <= now ? 'overdue' : 'open';
}

export function openDeadline(name: DeadlineName, id: string, now: number, dueAt: number, paused: boolean): Deadline {
  return {
    id,
    name,
    openedAt: iso(now),
    dueAt: iso(dueAt),
    status: 'open',
    ladderStep: 0,
    ...(paused ? { pausedSince: iso(now) } : {}),
  };
}
