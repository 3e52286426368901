/**
 * The API's way into journeys: Temporal client calls only — signal-with-start a referral, query a
 * journey, send an update, signal a hospital event. It never reaches into workflow internals.
 */
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { HospitalEvent } from '../domain/commands.js';
import { JOURNEY_TASK_QUEUE, journeyWorkflowId, parseJourneyId } from '../domain/journeyIds.js';
import type { JourneyState } from '../domain/journey.js';
import type { Programme } from '../domain/programme.js';
import type { JourneyReferral } from '../domain/referral.js';
import { careJourney, hospitalEventSignal, journeyQuery, referralSignal, referralStatusUpdate, type UpdateReceipt } from '../workflows/careJourney.js';

export interface ReferralAccepted {
  journeyId: string;
  merged: boolean;
  phase: JourneyState['phase'];
}

const isGone = (error: unknown): boolean =>
  error instanceof WorkflowNotFoundError || /not found|already completed/i.test((error as Error)?.message ?? '');

export function createJourneyGateway(client: Client) {
  return {
    /** Signal-with-start: merges into the open journey, or opens one (a new episode after a closure). */
    async refer(programme: Programme, patientId: string, referral: JourneyReferral): Promise<ReferralAccepted> {
      const workflowId = journeyWorkflowId(programme.id, patientId);
      await client.workflow.signalWithStart(careJourney, {
        workflowId,
        taskQueue: JOURNEY_TASK_QUEUE,
        args: [{ start: { patientId, programme, teamId: referral.teamId } }],
        signal: referralSignal,
        signalArgs: [referral],
      });
      // Ask the journey what became of it. If it arrived as an episode closed, the next episode takes it.
      for (let attempt = 0; attempt < 50; attempt += 1) {
        try {
          const status = await client.workflow.getHandle(workflowId).executeUpdate(referralStatusUpdate, { args: [referral.referralId] });
          if (!('nextEpisode' in status)) return status;
        } catch (error) {
          if (!isGone(error)) throw error;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the referral was accepted but its journey did not confirm it in time');
    },

    /** The live state of a journey episode, or undefined if it is not the workflow's current episode. */
    async load(journeyId: string): Promise<{ state: JourneyState; handle: WorkflowHandle } | undefined> {
      const ids = parseJourneyId(journeyId);
      if (!ids) return undefined;
      const handle = client.workflow.getHandle(ids.workflowId);
      try {
        const state = await handle.query(journeyQuery);
        return state.journeyId === journeyId ? { state, handle } : undefined;
      } catch (error) {
        if (isGone(error)) return undefined;
        throw error;
      }
    },

    async update<A>(handle: WorkflowHandle, definition: UpdateDefinition<UpdateReceipt, [A]>, arg: A): Promise<JourneyState> {
      await handle.executeUpdate(definition, { args: [arg] });
      return handle.query(journeyQuery);
    },

    /** Signals the patient's open journey in every programme; returns how many it reached. */
    async hospitalEvent(programmes: Programme[], patientId: string, event: HospitalEvent): Promise<number> {
      let reached = 0;
      for (const programme of programmes) {
        const handle = client.workflow.getHandle(journeyWorkflowId(programme.id, patientId));
        try {
          // A signal to a closed or never-started journey fails as not found: nothing to change there.
          await handle.signal(hospitalEventSignal, event);
          reached += 1;
        } catch (error) {
          if (!isGone(error)) throw error;
        }
      }
      return reached;
    },
  };
}
export type JourneyGateway = ReturnType<typeof createJourneyGateway>;
