/**
 * A caseload move as data: what a lead asked for, what became of each journey, and the progress
 * the dashboard shows (workflows/caseloadMove.ts runs it; activities/caseloadMove.ts does its I/O).
 */
import type { Actor } from './commands.js';

export interface CaseloadMoveInput {
  moveId: string;
  teamId: string;
  /** The co-ordinator whose journeys move. */
  from: string;
  /** The journeys to move, chosen when the move was asked for. */
  journeyIds: string[];
  /** Whom they may go to; every other co-ordinator of the team (not away) when absent. */
  to?: string[];
  /** The lead who asked: each reassignment is theirs. */
  by: Actor;
  requestedAt: string;
}

export interface CaseloadMoveProgress {
  moveId: string;
  teamId: string;
  from: string;
  by: string;
  requestedAt: string;
  total: number;
  /** Moved by this move, and to whom. */
  moved: number;
  movedTo: Record<string, number>;
  /** No longer the co-ordinator's when their turn came (moved by someone else, or closed). */
  skipped: { journeyId: string; why: string }[];
  /** Left with the co-ordinator, and why (nobody had room). */
  notMoved: { journeyId: string; why: string }[];
  done: boolean;
  updatedAt: string;
}

export type MoveOutcome =
  | { result: 'moved'; to: string }
  /** The co-ordinator it was planned for had no room when it came to it: plan it again. */
  | { result: 'full' }
  | { result: 'skipped'; why: string }
  | { result: 'refused'; why: string };
