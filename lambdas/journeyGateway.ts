/**
 * The API's way into journeys: Temporal client calls only — start a journey with its referral (or
 * signal a referral to the open one), signal a command or a hospital event, and ask what became of
 * a command. Every call has a deadline. It never reaches into workflow internals, and it never
 * reads a journey: reads come from the record in DynamoDB (ADR 0009).
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import type { HospitalEvent } from '../domain/commands.js';
import { journeyIdFor, journeyWorkflowId, parseJourneyId } from '../domain/journeyIds.js';
import { JOURNEY_TASK_QUEUE } from '../temporal/taskQueue.js';
import { openedBy, openingFor, type JourneyState, type Opening } from '../domain/journey.js';
import { searchAttributesFor } from '../temporal/searchAttributes.js';
import type { CommandOutcome, CommandType } from '../domain/journeyCommands.js';
import { rulesOf, type Programme } from '../domain/programme.js';
import type { JourneyReferral } from '../domain/referral.js';
import { careJourney } from '../workflows/careJourney.js';
import type { CaseloadMoveInput } from '../domain/caseloadMove.js';
import { caseloadMove } from '../workflows/caseloadMove.js';
import {
  commandOutcomeQuery,
  hospitalEventSignal,
  referralSignal,
  referralStatusQuery,
} from '../temporal/journeyMessages.js';
import { pollUntilAnswered, sendCommand } from '../temporal/journeyCalls.js';
import { requestDeadline } from './requestBudget.js';

/** A caseload move's workflow: one per move, named after its team (never a person). */
export const caseloadMoveWorkflowId = (teamId: string, moveId: string) => `caseload-move.${teamId}.${moveId}`;

/** The answer to a referral: its journey, and for a new one what triage made of it (`Opening`). */
export interface ReferralAccepted extends Partial<Omit<Opening, 'phase'>> {
  journeyId: string;
  merged: boolean;
  phase: JourneyState['phase'];
}

const isGone = (error: unknown): boolean =>
  error instanceof WorkflowNotFoundError || /not found|already completed/i.test((error as Error)?.message ?? '');

export {
  JourneyNotAnswering,
  pollUntilAnswered,
  QUERY_ATTEMPT_MS,
  sendCommand,
  type DeadlineScope,
} from '../temporal/journeyCalls.js';

/**
 * How long one API call may spend on Temporal before it answers 503: below API Gateway's 30 s
 * integration limit and the Lambda's 28 s timeout, and below the 30 s most HTTP clients give up
 * at, so a caller always hears "busy, retry" rather than nothing.
 */
export const ANSWER_WITHIN_MS = 20_000;

export function createJourneyGateway(
  client: Client,
  options: {
    answerWithinMs?: number;
    /**
     * The clock a command's or hospital event's signal is stamped with; the journey applies the
     * message as of that time. The wall clock, but for a test on the time-skipping server, whose
     * clock runs ahead of it.
     */
    now?: () => Date;
  } = {},
) {
  const waitMs = options.answerWithinMs ?? ANSWER_WITHIN_MS;
  const now = options.now ?? (() => new Date());
  /**
   * Every Temporal call `fn` makes shares one gRPC deadline: the gateway's budget for this call, or
   * what is left of the request's (lambdas/requestBudget.ts), whichever ends first. A hung query
   * cannot outlast either. `fn` is told how many milliseconds it has, for waits of its own.
   */
  const withinBudget = <T>(fn: (remainingMs: number) => Promise<T>): Promise<T> => {
    const until = Math.min(Date.now() + waitMs, requestDeadline() ?? Infinity);
    return client.withDeadline(until, () => fn(Math.max(0, until - Date.now())));
  };
  const handleOf = (journeyId: string): WorkflowHandle | undefined => {
    const ids = parseJourneyId(journeyId);
    return ids ? client.workflow.getHandle(ids.workflowId) : undefined;
  };

  return {
    /**
     * Opens a journey with the referral, or merges it into the open one. Most referrals are for
     * someone with no open journey in the programme: the journey is started with the referral in
     * hand and the answer follows from the programme's rules without asking the journey (one round
     * trip to Temporal, like a bare workflow start). Only when a journey is already open is the
     * referral signalled to it — signal-with-start, in case it closes meanwhile — and the journey
     * asked what became of it.
     */
    refer: (programme: Programme, patientId: string, referral: JourneyReferral): Promise<ReferralAccepted> =>
      withinBudget(async (remainingMs) => {
        const workflowId = journeyWorkflowId(programme.id, patientId);
        // The journey is given the programme's rules, not who works in its teams (domain/programme.ts).
        const start = { patientId, programme: rulesOf(programme), teamId: referral.teamId };
        // The journey opens, and takes the referral, as of now by the API's clock (never its own).
        const sentAt = now().toISOString();
        // Set at the start, search attributes cost no action (an upsert would) and the journey's
        // first task need not upsert them: it starts holding what it would have set.
        const typedSearchAttributes = searchAttributesFor(
          openedBy(start.programme, referral, Date.parse(sentAt)),
        ).filter((a) => a.value !== null) as SearchAttributePair[];
        try {
          const opened = await client.workflow.start(careJourney, {
            workflowId,
            taskQueue: JOURNEY_TASK_QUEUE,
            args: [{ start, referrals: [referral], startedAt: sentAt }],
            workflowIdConflictPolicy: 'FAIL',
            typedSearchAttributes,
          });
          return {
            journeyId: journeyIdFor(workflowId, opened.firstExecutionRunId),
            merged: false,
            ...openingFor(programme, referral),
          };
        } catch (error) {
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        }
        await client.workflow.signalWithStart(careJourney, {
          workflowId,
          taskQueue: JOURNEY_TASK_QUEUE,
          args: [{ start, startedAt: sentAt }],
          signal: referralSignal,
          signalArgs: [referral, { sentAt }],
        });
        // If it arrived as an episode closed, the next episode takes it: ask until that one has.
        const handle = client.workflow.getHandle(workflowId);
        return pollUntilAnswered(
          client,
          async () => {
            const status = await handle.query(referralStatusQuery, referral.referralId);
            return status && !('nextEpisode' in status) ? status : undefined;
          },
          remainingMs,
        );
      }),

    /**
     * What became of a command sent earlier, if the journey still remembers it; undefined too when
     * the journey's workflow has closed or is gone (then nothing more can become of it).
     */
    async outcome(journeyId: string, commandId: string): Promise<CommandOutcome | undefined> {
      const handle = handleOf(journeyId);
      if (!handle) return undefined;
      try {
        return await withinBudget(() => handle.query(commandOutcomeQuery, commandId));
      } catch (error) {
        if (isGone(error)) return undefined;
        throw error;
      }
    },

    /** Sends a co-ordinator's command to the journey's episode; see `sendCommand`. */
    command: (journeyId: string, type: CommandType, command: unknown, commandId?: string): Promise<CommandOutcome> => {
      const handle = handleOf(journeyId);
      if (!handle) throw new Error(`${journeyId} is not a journey id`);
      return withinBudget((remainingMs) =>
        sendCommand(handle, type, command, { commandId, waitMs: remainingMs, sentAt: now(), journeyId }),
      );
    },

    /**
     * Starts a caseload move (workflows/caseloadMove.ts), or finds the one already started under
     * the same id (a request sent again): the move is made once.
     */
    startCaseloadMove: (input: CaseloadMoveInput): Promise<{ moveId: string; started: boolean }> =>
      withinBudget(async () => {
        const workflowId = caseloadMoveWorkflowId(input.teamId, input.moveId);
        const existing = await client.workflow
          .getHandle(workflowId)
          .describe()
          .then(
            () => true,
            (error: unknown) => {
              if (error instanceof WorkflowNotFoundError) return false;
              throw error;
            },
          );
        if (existing) return { moveId: input.moveId, started: false };
        await client.workflow.start(caseloadMove, {
          workflowId,
          taskQueue: JOURNEY_TASK_QUEUE,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
        return { moveId: input.moveId, started: true };
      }),

    /**
     * Signals the patient's open journey in every programme, all at once (one round trip, not one
     * per programme); returns how many it reached.
     */
    async hospitalEvent(programmes: Programme[], patientId: string, event: HospitalEvent): Promise<number> {
      const reached = await withinBudget(() =>
        Promise.all(
          programmes.map(async (programme) => {
            const handle = client.workflow.getHandle(journeyWorkflowId(programme.id, patientId));
            try {
              // A signal to a closed or never-started journey fails as not found: nothing to change there.
              await handle.signal(hospitalEventSignal, { ...event, receivedAt: now().toISOString() });
              return 1;
            } catch (error) {
              if (!isGone(error)) throw error;
              return 0;
            }
          }),
        ),
      );
      return reached.reduce<number>((a, b) => a + b, 0);
    },
  };
}
export type JourneyGateway = ReturnType<typeof createJourneyGateway>;
