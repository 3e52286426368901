/**
 * MDT meetings (issue 21): a team's multidisciplinary meeting — when, who attended, each journey
 * discussed with its presenter, decision and actions — as the API takes it and keeps it in
 * DynamoDB (activities/mdtMeetings.ts). A meeting is never overwritten: a correction is an
 * amendment beside it, saying who, when and why. What it means for each journey discussed is
 * domain/mdtActions.ts.
 */
import { z } from 'zod';
import type { Programme } from './programme.js';
import { isoDate } from './referral.js';
import { staffIdSchema } from './staff.js';

// ---------------------------------------------------------------------------------------------
// The meeting, as the API takes it and keeps it

const text = (max: number) => z.string().trim().min(1).max(max);

export const mdtActionSchema = z.object({
  /** What was agreed, as the meeting said it: "GP to review analgesia", "DN to visit and assess pressure areas". */
  description: text(2000),
  /** Who will do it: a member of the team in the staff directory. */
  ownerId: staffIdSchema,
  /** When it is due: after the meeting is recorded. */
  due: z.iso.datetime({ offset: true }),
});

export const mdtMeetingSchema = z
  .object({
    /** The day the meeting was held (Europe/London), not after today. */
    heldOn: isoDate,
    /** Who attended, from the staff directory (a GP or a social worker from another team among them). */
    attendees: z.array(staffIdSchema).min(1).max(50),
    /** Anyone there who is not in the directory (a hospice consultant, a family's advocate), as named. */
    guests: z.array(text(200)).max(20).default([]),
    discussed: z
      .array(
        z.object({
          journeyId: z.string().min(1).max(300),
          /** Who presented the case: an attendee. Where the programme says so, they become its co-ordinator. */
          presenterId: staffIdSchema,
          decision: text(4000),
          actions: z.array(mdtActionSchema).max(20).default([]),
        }),
      )
      .min(1)
      .max(60),
  })
  .superRefine((m, ctx) => {
    const attendees = new Set(m.attendees);
    if (attendees.size !== m.attendees.length)
      ctx.addIssue({ code: 'custom', path: ['attendees'], message: 'an attendee is named twice' });
    const seen = new Set<string>();
    m.discussed.forEach((d, i) => {
      if (seen.has(d.journeyId))
        ctx.addIssue({ code: 'custom', path: ['discussed', i, 'journeyId'], message: 'a journey is discussed twice' });
      seen.add(d.journeyId);
      if (!attendees.has(d.presenterId))
        ctx.addIssue({
          code: 'custom',
          path: ['discussed', i, 'presenterId'],
          message: `${d.presenterId} presented but is not among the attendees`,
        });
    });
  });
export type MdtMeetingInput = z.output<typeof mdtMeetingSchema>;

/** A meeting as kept: what was entered, whole, with who recorded it and when. Never overwritten. */
export interface MdtMeeting extends MdtMeetingInput {
  meetingId: string;
  teamId: string;
  recordedBy: string;
  recordedAt: string;
}

/** A correction to a meeting's record: what it says now, and why; the meeting as first entered stays. */
export const mdtAmendmentSchema = z.object({
  attendees: z.array(staffIdSchema).min(1).max(50).optional(),
  guests: z.array(text(200)).max(20).optional(),
  /** A journey's decision, corrected: the journey's own record is corrected through its record. */
  decisions: z
    .array(z.object({ journeyId: z.string().min(1).max(300), decision: text(4000) }))
    .max(60)
    .optional(),
  reason: text(500),
});
export type MdtAmendmentInput = z.output<typeof mdtAmendmentSchema>;

export interface MdtAmendment extends MdtAmendmentInput {
  amendmentId: string;
  meetingId: string;
  by: string;
  at: string;
}

/** The meeting as it reads now: as entered, with each amendment applied in the order made. */
export function meetingAsAmended(meeting: MdtMeeting, amendments: MdtAmendment[]): MdtMeeting {
  const now = structuredClone(meeting);
  for (const a of amendments) {
    if (a.attendees) now.attendees = a.attendees;
    if (a.guests) now.guests = a.guests;
    for (const d of a.decisions ?? []) {
      const discussed = now.discussed.find((x) => x.journeyId === d.journeyId);
      if (discussed) discussed.decision = d.decision;
    }
  }
  return now;
}

/**
 * Whom a journey discussed at the meeting is reassigned to: its presenter, where the programme
 * makes whoever presents a case its co-ordinator and they are not already; otherwise no one.
 */
export function presenterBecomes(
  programme: Pick<Programme, 'mdt'> | undefined,
  coordinatorId: string | null,
  presenterId: string,
): string | undefined {
  return programme?.mdt?.presenterBecomesCoordinator && presenterId !== coordinatorId ? presenterId : undefined;
}
