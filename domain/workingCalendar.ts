/**
 * A team's working calendar: its time zone, working hours and days, and the bank holidays it keeps.
 * Two things follow from it (issue 18):
 * - **quiet hours**: a ladder step that would reach someone outside working hours is delivered at
 *   the next working start, unless the programme runs round the clock (palliative care does);
 * - **business days**: a deadline may be written `2 business days`, counted on working days.
 *
 * Pure and deterministic, so a journey can use it inside its workflow: the holidays are a list of
 * dates the journey holds in its programme snapshot (filled in from `date-holidays` when the
 * programme file is loaded, config/programmeFiles.ts), never looked up while it runs or replays.
 * Time zones come from the runtime's time-zone database (Intl), as `londonTime.ts` does.
 */
import { z } from 'zod';

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];
export const bankHolidayRegions = ['england-and-wales', 'scotland', 'northern-ireland', 'none'] as const;

const clock = () => z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM (24-hour)');
const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

// Built on first use, as programme.ts's schemas are: the journey workflow's sandbox loads this
// module, and only a programme file being parsed needs the schema.
export const calendarSchema = z.lazy(() =>
  z.object({
    /** An IANA time zone: working hours and business days are on its clock. */
    timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/London').default('Europe/London'),
    /** Runs 24/7: ladder steps are delivered when they fall due, day or night (palliative care). */
    roundTheClock: z.boolean().default(false),
    workingHours: z
      .object({ start: clock(), end: clock() })
      .refine((h) => h.start < h.end, { message: 'must end after it starts', path: ['end'] })
      .default({ start: '09:00', end: '17:00' }),
    workingDays: z.array(z.enum(weekdays)).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
    /** Whose bank holidays are not working days. */
    bankHolidays: z.enum(bankHolidayRegions).default('england-and-wales'),
    /**
     * Days off as `YYYY-MM-DD` on the calendar's clock: the bank holidays, filled in when the
     * programme file is loaded, and any the file adds (a team's closure day).
     */
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')).default([]),
  }),
);
export type WorkingCalendar = z.output<typeof calendarSchema>;

// ---------------------------------------------------------------------------------------------
// Business-day durations

const BUSINESS_DAYS = /^(\d{1,3}) business days?$/;

/** `2 business days` → 2; anything else → undefined. */
export function businessDaysOf(text: string): number | undefined {
  const m = BUSINESS_DAYS.exec(text.trim());
  return m ? Number(m[1]) : undefined;
}

// ---------------------------------------------------------------------------------------------
// The calendar's clock

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsIn(timeZone: string, at: number) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  const offset = /^GMT([+-])(\d{2}):(\d{2})$/.exec(p.timeZoneName ?? '');
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    minutes: Number(p.hour) * 60 + Number(p.minute),
    offsetMinutes: offset ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) : 0,
  };
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * The instant a wall-clock time names on `timeZone`'s clock. Where the clock goes back and a time
 * happens twice, the earlier; where it goes forward and a time never happens, it is read at the
 * offset before the gap (as `londonWallTime` does for hospital times).
 */
export function wallTime(timeZone: string, date: string, hhmm: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const asUtc = Date.UTC(y, m - 1, d) + minutesOf(hhmm) * 60_000;
  const before = partsIn(timeZone, asUtc - 14 * 3_600_000).offsetMinutes;
  const after = partsIn(timeZone, asUtc + 14 * 3_600_000).offsetMinutes;
  const fits = [...new Set([before, after])]
    .map((o) => asUtc - o * 60_000)
    .filter((at) => asUtc - at === partsIn(timeZone, at).offsetMinutes * 60_000);
  return fits.length > 0 ? Math.min(...fits) : asUtc - before * 60_000;
}

const nextDate = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const weekdayOf = (date: string): Weekday => weekdays[(new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7]!;

export function isWorkingDay(cal: WorkingCalendar, date: string): boolean {
  return cal.workingDays.includes(weekdayOf(date)) && !cal.holidays.includes(date);
}

/** The first working day after `date` (a calendar with no working day in a year is refused). */
function nextWorkingDay(cal: WorkingCalendar, date: string): string {
  let d = nextDate(date);
  for (let i = 0; i < 400; i += 1, d = nextDate(d)) if (isWorkingDay(cal, d)) return d;
  throw new Error(`no working day within 400 days after ${date}`);
}

/**
 * When something due at `at` may reach a person: `at` itself in working hours (or on a calendar
 * that runs round the clock), else the start of the next working day's hours.
 */
export function nextWorkingMoment(cal: WorkingCalendar, at: number): number {
  if (cal.roundTheClock) return at;
  const { date, minutes } = partsIn(cal.timeZone, at);
  const [start, end] = [minutesOf(cal.workingHours.start), minutesOf(cal.workingHours.end)];
  if (isWorkingDay(cal, date)) {
    if (minutes >= start && minutes < end) return at;
    if (minutes < start) return wallTime(cal.timeZone, date, cal.workingHours.start);
  }
  return wallTime(cal.timeZone, nextWorkingDay(cal, date), cal.workingHours.start);
}

/**
 * `n` business days after `from`: counted from the next working day after the day of `from` (on
 * the calendar's clock), due at the end of working hours on the last of them. "2 business days"
 * after a Friday 15:00 discharge before a bank-holiday Monday is Wednesday at 17:00.
 */
export function addBusinessDays(cal: WorkingCalendar, from: number, n: number): number {
  let date = partsIn(cal.timeZone, from).date;
  for (let i = 0; i < n; i += 1) date = nextWorkingDay(cal, date);
  return wallTime(cal.timeZone, date, cal.workingHours.end);
}
