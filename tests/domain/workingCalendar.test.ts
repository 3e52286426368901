/**
 * The working calendar (domain/workingCalendar.ts): quiet hours, business days, bank holidays by
 * nation, and the clock changes, on fixed dates so each case says exactly what it means.
 */
import { describe, expect, it } from 'vitest';
import { parseProgrammes, withBankHolidays } from '../../config/programmeFiles.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import type { Programme } from '../../domain/programme.js';
import {
  addBusinessDays,
  businessDaysOf,
  calendarSchema,
  nextWorkingMoment,
  wallTime,
  type WorkingCalendar,
} from '../../domain/workingCalendar.js';

const frailty = parseProgrammes({ programmes: builtInProgrammes }, 'built-in').find(
  (p) => p.id === 'frailty-virtual-ward',
)!;
/** A calendar with its bank holidays filled in, as a programme file's is when loaded. */
function calendar(input: object = {}): WorkingCalendar {
  const programme = withBankHolidays(
    { ...frailty, calendar: calendarSchema.parse(input) } as Programme,
    new Date('2026-06-01'),
  );
  return programme.calendar!;
}
const at = (iso: string) => Date.parse(iso);
const london = (ms: number) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(ms);

describe('business days', () => {
  it('counts "2 business days" after a Friday discharge, before an England-and-Wales bank-holiday Monday, to Wednesday', () => {
    // Friday 22 May 2026, 15:00 BST; Monday 25 May is the spring bank holiday.
    const due = addBusinessDays(calendar(), at('2026-05-22T14:00:00Z'), 2);
    expect(london(due)).toBe('Wed 27 May, 17:00');
    expect(due).toBe(at('2026-05-27T16:00:00Z'));
  });

  it('keeps each nation’s bank holidays: Scotland’s August holiday is the first Monday, England’s the last', () => {
    const friday = at('2026-07-31T14:00:00Z'); // Friday 31 July 2026
    expect(london(addBusinessDays(calendar(), friday, 1))).toBe('Mon 3 Aug, 17:00');
    expect(london(addBusinessDays(calendar({ bankHolidays: 'scotland' }), friday, 1))).toBe('Tue 4 Aug, 17:00');
    const england = calendar();
    expect(england.holidays).toContain('2026-08-31');
    expect(england.holidays).toContain('2026-12-28'); // Boxing Day falls on a Saturday: Monday instead
    expect(calendar({ bankHolidays: 'northern-ireland' }).holidays).toContain('2027-07-12');
    expect(calendar({ bankHolidays: 'none' }).holidays).toEqual([]);
  });

  it('skips a team’s own closure day and its own working week', () => {
    const cal = calendar({ holidays: ['2026-06-02'], workingDays: ['mon', 'tue', 'wed', 'thu'] });
    // Monday 1 June + 2: Tuesday is closed, so Wednesday then Thursday.
    expect(london(addBusinessDays(cal, at('2026-06-01T10:00:00Z'), 2))).toBe('Thu 4 Jun, 17:00');
    // Thursday + 1: no Friday in this team's week, and no weekend: Monday.
    expect(london(addBusinessDays(cal, at('2026-06-04T10:00:00Z'), 1))).toBe('Mon 8 Jun, 17:00');
  });

  it('reads the syntax, and nothing else as business days', () => {
    expect(businessDaysOf('2 business days')).toBe(2);
    expect(businessDaysOf('1 business day')).toBe(1);
    expect(businessDaysOf('P2D')).toBeUndefined();
    expect(businessDaysOf('two business days')).toBeUndefined();
  });
});

describe('quiet hours', () => {
  const cal = calendar();
  it('moves a step due at 02:00 on a working day to that day’s 09:00, and leaves one in working hours', () => {
    expect(london(nextWorkingMoment(cal, at('2026-06-02T01:00:00Z')))).toBe('Tue 2 Jun, 09:00');
    expect(nextWorkingMoment(cal, at('2026-06-02T10:30:00Z'))).toBe(at('2026-06-02T10:30:00Z'));
    // 17:00 is the end of the day, not in it.
    expect(london(nextWorkingMoment(cal, at('2026-06-02T16:00:00Z')))).toBe('Wed 3 Jun, 09:00');
  });

  it('moves Friday evening to Monday, and a bank holiday to the day after', () => {
    expect(london(nextWorkingMoment(cal, at('2026-06-05T19:00:00Z')))).toBe('Mon 8 Jun, 09:00');
    expect(london(nextWorkingMoment(cal, at('2026-05-25T09:00:00Z')))).toBe('Tue 26 May, 09:00');
    // Christmas 2026: Friday 25th, the weekend, and Boxing Day's Monday substitute.
    expect(london(nextWorkingMoment(cal, at('2026-12-24T18:00:00Z')))).toBe('Tue 29 Dec, 09:00');
  });

  it('keeps 09:00 on the wall clock across the clock changes', () => {
    // Saturday 28 March 2026 (GMT) to Monday 30 March (BST): 09:00 BST is 08:00Z.
    expect(nextWorkingMoment(cal, at('2026-03-28T12:00:00Z'))).toBe(at('2026-03-30T08:00:00Z'));
    // Saturday 24 October 2026 (BST) to Monday 26 October (GMT): 09:00 GMT is 09:00Z.
    expect(nextWorkingMoment(cal, at('2026-10-24T12:00:00Z'))).toBe(at('2026-10-26T09:00:00Z'));
  });

  it('never applies to a calendar that runs round the clock', () => {
    const palliative = calendar({ roundTheClock: true });
    expect(nextWorkingMoment(palliative, at('2026-12-25T02:00:00Z'))).toBe(at('2026-12-25T02:00:00Z'));
  });

  it('reads a wall-clock time the hour goes back as the earlier instant, and a time in the March gap at GMT', () => {
    expect(wallTime('Europe/London', '2026-10-25', '01:30')).toBe(at('2026-10-25T00:30:00Z'));
    expect(wallTime('Europe/London', '2026-03-29', '01:30')).toBe(at('2026-03-29T01:30:00Z'));
    expect(wallTime('Europe/London', '2026-07-01', '09:00')).toBe(at('2026-07-01T08:00:00Z'));
  });
});

describe('programme files', () => {
  const file = (programme: object) => () =>
    parseProgrammes(
      { programmes: [{ ...builtInProgrammes.find((p) => p.id === 'frailty-virtual-ward')!, ...programme }] },
      'test',
    );

  it('take deadlines in business days, given a calendar', () => {
    const deadlines = { ...frailty.deadlines, postDischargeContact: '2 business days' };
    expect(file({ deadlines })).toThrow(/calendar: required for deadlines in business days \("2 business days"\)/);
    const [p] = file({ deadlines, calendar: {} })();
    expect(p!.calendar).toMatchObject({ timeZone: 'Europe/London', workingHours: { start: '09:00', end: '17:00' } });
    expect(p!.calendar!.holidays.length).toBeGreaterThan(80); // eleven years of England's bank holidays
  });

  it('refuse business days where the journey measures the plain calendar, and a bad calendar', () => {
    expect(file({ readmissionWindow: '5 business days', calendar: {} })).toThrow(/readmissionWindow/);
    expect(file({ calendar: { workingHours: { start: '17:00', end: '09:00' } } })).toThrow(/workingHours/);
    expect(file({ calendar: { timeZone: 'Mars/Olympus' } })).toThrow(/IANA time zone/);
  });
});
