/**
 * An MDT meeting as the API takes it: every case presented by someone who was there, no journey
 * twice; a correction is an amendment the meeting reads through, never a change to what was
 * entered; and where the programme says so — only there — whoever presents a case becomes its
 * co-ordinator (HAZ-36).
 */
import { describe, expect, it } from 'vitest';
import {
  meetingAsAmended,
  mdtMeetingSchema,
  presenterBecomes,
  type MdtAmendment,
  type MdtMeeting,
} from '../../domain/mdtMeetings.js';

const due = '2027-03-09T09:00:00Z';
const input = {
  heldOn: '2027-03-02',
  attendees: ['coord-ana', 'coord-joe', 'lead-raj'],
  discussed: [
    {
      journeyId: 'frailty.p1.e1',
      presenterId: 'coord-joe',
      decision: 'Falls clinic',
      actions: [{ description: 'Review medicines', ownerId: 'lead-raj', due }],
    },
    { journeyId: 'frailty.p2.e1', presenterId: 'coord-ana', decision: 'Carry on' },
  ],
};

describe('an MDT meeting', () => {
  it('takes a meeting whose every case was presented by an attendee, each journey once', () => {
    const parsed = mdtMeetingSchema.parse(input);
    expect(parsed.guests).toEqual([]);
    expect(parsed.discussed[1]!.actions).toEqual([]);
    const issues = (body: unknown) =>
      mdtMeetingSchema.safeParse(body).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues({ ...input, attendees: ['coord-ana', 'lead-raj'] })).toEqual([
      'discussed.0.presenterId: coord-joe presented but is not among the attendees',
    ]);
    expect(issues({ ...input, discussed: [input.discussed[0], input.discussed[0]] })).toEqual([
      'discussed.1.journeyId: a journey is discussed twice',
    ]);
    expect(issues({ ...input, discussed: [{ ...input.discussed[0], actions: [{ description: 'x', due }] }] })).toEqual([
      'discussed.0.actions.0.ownerId: Invalid input: expected string, received undefined',
    ]);
    expect(issues({ ...input, discussed: [] })).toHaveLength(1);
  });

  it('reads as amended, in the order the amendments were made, keeping the meeting as entered', () => {
    const meeting: MdtMeeting = {
      ...mdtMeetingSchema.parse(input),
      meetingId: '2027-03-02-abc',
      teamId: 'south-devon-1',
      recordedBy: 'coord-ana',
      recordedAt: '2027-03-02T12:00:00Z',
    };
    const amendment = (n: number, a: Partial<MdtAmendment>): MdtAmendment => ({
      amendmentId: `a${n}`,
      meetingId: meeting.meetingId,
      by: 'lead-raj',
      at: `2027-03-0${n + 2}T09:00:00Z`,
      reason: 'typo',
      ...a,
    });
    const amended = meetingAsAmended(meeting, [
      amendment(1, { decisions: [{ journeyId: 'frailty.p1.e1', decision: 'Falls clinic, urgent' }] }),
      amendment(2, { attendees: ['coord-ana', 'coord-joe'], guests: ['Dr Ng'] }),
      amendment(3, { decisions: [{ journeyId: 'frailty.p1.e1', decision: 'Falls clinic, routine' }] }),
    ]);
    expect(amended.discussed[0]!.decision).toBe('Falls clinic, routine');
    expect(amended.attendees).toEqual(['coord-ana', 'coord-joe']);
    expect(amended.guests).toEqual(['Dr Ng']);
    expect(meeting.discussed[0]!.decision).toBe('Falls clinic');
    expect(meeting.attendees).toEqual(input.attendees);
  });
});

describe('whoever presents a case becomes its co-ordinator', () => {
  it('when the programme says so, the presenter, unless they hold it already', () => {
    const on = { mdt: { presenterBecomesCoordinator: true } };
    expect(presenterBecomes(on, 'coord-ana', 'coord-joe')).toBe('coord-joe');
    expect(presenterBecomes(on, null, 'coord-joe')).toBe('coord-joe');
    expect(presenterBecomes(on, 'coord-joe', 'coord-joe')).toBeUndefined();
  });

  it('otherwise presenting changes no one’s caseload', () => {
    expect(presenterBecomes({ mdt: { presenterBecomesCoordinator: false } }, 'coord-ana', 'coord-joe')).toBeUndefined();
    expect(presenterBecomes({}, 'coord-ana', 'coord-joe')).toBeUndefined();
    expect(presenterBecomes(undefined, 'coord-ana', 'coord-joe')).toBeUndefined();
  });
});
