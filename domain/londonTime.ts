/**
 * UK local time (Europe/London), as hospitals' systems write it: GMT in winter, BST (UTC+1) from
 * the last Sunday of March to the last Sunday of October. The rules come from the time-zone
 * database the runtime ships (Intl), not from a table kept here.
 */

const offsetFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', timeZoneName: 'longOffset' });

/** Minutes Europe/London is ahead of UTC at `instant` (0 or 60). */
export function londonOffsetMinutes(instant: number): number {
  const name = offsetFormat.formatToParts(new Date(instant)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  // "GMT" in winter, "GMT+01:00" in summer.
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/**
 * The instant a Europe/London wall-clock time names (month 1–12).
 *
 * Twice a year the wall clock is not one-to-one:
 * - **October, clocks go back:** 01:00–01:59 happens twice. The earlier instant (BST) is taken: a
 *   hospital system writing local time without an offset most often writes the first 01:30, and
 *   taking the earlier one never makes a stay look shorter than it was by more than the hour.
 * - **March, clocks go forward:** 01:00–01:59 never happens. Such a time is read as GMT, the
 *   offset in force just before the gap (01:30 becomes 01:30Z, which the clock showed as 02:30).
 */
export function londonWallTime(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  // Each candidate offset is right if London really is at that offset at the instant it gives.
  const fits = [60, 0]
    .map((offset) => asUtc - offset * 60_000)
    .filter((at) => londonOffsetMinutes(at) * 60_000 === asUtc - at);
  if (fits.length > 0) return Math.min(...fits);
  return asUtc - londonOffsetMinutes(asUtc - 60 * 60_000) * 60_000;
}

const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The day (`yyyy-mm-dd`) it is in Europe/London at `instant`. */
export const londonDate = (instant: number): string => dayFormat.format(new Date(instant));
