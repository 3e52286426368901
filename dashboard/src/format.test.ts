/**
 * How the dashboard says a due time and checks an NHS number as it is typed: pure functions, so
 * tested here at the edges (London's clock changes, midnight, a mistyped digit) rather than
 * through the browser.
 */
import { describe, expect, it } from 'vitest';
import { nhsNumberProblem } from './components/NhsNumberField';
import { deadlineLabel, dueWords, messageWords, personWords } from './format';

const at = (iso: string) => Date.parse(iso);

describe('dueWords: a due time as people say it, in London time', () => {
  it('says today, tomorrow, a weekday within the week, and a date after it', () => {
    const now = at('2026-12-07T10:00:00Z'); // Monday, GMT
    expect(dueWords('2026-12-07T14:00:00Z', now)).toBe('due today at 14:00');
    expect(dueWords('2026-12-08T09:00:00Z', now)).toBe('due tomorrow at 09:00');
    expect(dueWords('2026-12-10T09:00:00Z', now)).toBe('due Thursday at 09:00');
    expect(dueWords('2026-12-17T09:00:00Z', now)).toBe('due Thu 17 Dec at 09:00');
  });

  it('reads the clock and the day in summer time: 23:30Z on a July day is tomorrow at 00:30 in London', () => {
    const now = at('2026-07-14T12:00:00Z');
    expect(dueWords('2026-07-14T23:30:00Z', now)).toBe('due tomorrow at 00:30');
    expect(dueWords('2026-07-15T08:00:00Z', now)).toBe('due tomorrow at 09:00');
  });

  it('counts days across the October clock change by the calendar, not by 24-hour blocks', () => {
    // Saturday 24 October 2026 at noon BST; the clocks go back at 02:00 on Sunday the 25th.
    const now = at('2026-10-24T11:00:00Z');
    expect(dueWords('2026-10-25T09:00:00Z', now)).toBe('due tomorrow at 09:00');
    expect(dueWords('2026-10-26T09:00:00Z', now)).toBe('due Monday at 09:00');
  });

  it('says how late once past: minutes, hours, then days', () => {
    const now = at('2026-12-07T10:00:00Z');
    expect(dueWords('2026-12-07T10:00:00Z', now)).toBe('overdue 1 minute');
    expect(dueWords('2026-12-07T09:15:00Z', now)).toBe('overdue 45 minutes');
    expect(dueWords('2026-12-07T07:00:00Z', now)).toBe('overdue 3 hours');
    expect(dueWords('2026-12-06T10:00:00Z', now)).toBe('overdue 1 day');
    expect(dueWords('2026-12-04T09:00:00Z', now)).toBe('overdue 3 days');
    expect(dueWords(null, now)).toBe('');
  });

  it('says the timestamps in a journey message as London dates and times', () => {
    expect(messageWords('assessment was due 2026-07-14T08:28:22.437Z')).toBe('assessment was due 14 Jul 2026, 09:28');
    expect(messageWords('nothing to say')).toBe('nothing to say');
  });

  it('names a person as a sentence does', () => {
    expect(
      personWords({ givenName: 'Jane', familyName: 'Doe', nhsNumber: '943 476 5919' } as Parameters<
        typeof personWords
      >[0]),
    ).toBe('Jane Doe (943 476 5919)');
  });
});

describe('nhsNumberProblem: the NHS number checked as it is typed', () => {
  it('says nothing while the number may yet be right, and asks for it once the field is left empty', () => {
    expect(nhsNumberProblem('', false)).toBeUndefined();
    expect(nhsNumberProblem('943 476', false)).toBeUndefined();
    expect(nhsNumberProblem('', true)).toBe('Enter the NHS number');
    expect(nhsNumberProblem('943 476', true)).toBe('An NHS number has 10 digits');
  });

  it('catches a mistyped digit by its check digit, and anything that is not digits', () => {
    expect(nhsNumberProblem('943 476 5919', false)).toBeUndefined();
    expect(nhsNumberProblem('943-476-5919', true)).toBeUndefined();
    expect(nhsNumberProblem('943 476 5918', false)).toMatch(/check digit is wrong/);
    expect(nhsNumberProblem('943 476 591', false)).toBeUndefined();
    expect(nhsNumberProblem('943 476 59190', false)).toBe('An NHS number has 10 digits');
    expect(nhsNumberProblem('943 47a', false)).toBe('An NHS number has digits only');
  });
});

describe('deadlineLabel: a deadline named by what is to be done', () => {
  it('names an MDT action by its description once the journey is read, else by its id', () => {
    const mdt = [{ id: '12-1', description: 'GP to review analgesia' }];
    expect(deadlineLabel('mdt-action:12-1', [], mdt)).toBe('MDT action: GP to review analgesia');
    expect(deadlineLabel('mdt-action:12-1')).toBe('MDT action 12-1');
    // A care-plan action of the same id is another thing.
    expect(deadlineLabel('action:12-1', [{ id: '12-1', description: 'Rails fitted' }], mdt)).toBe(
      'Action: Rails fitted',
    );
    expect(deadlineLabel('post-discharge-contact')).toBe('Post discharge contact');
  });
});
