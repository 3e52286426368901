/**
 * ISO 8601 durations as the programme configuration writes them (`P10D`, `PT72H`, `-P1D`, `P1Y`).
 *
 * Calendar units are added on the UTC calendar, so `P1M` from 31 January is the last day of
 * February and `P1Y` is the same date next year; days and weeks are fixed 24-hour days, which is
 * what a deadline like "72 hours after discharge" or "within 10 days" means in practice.
 * Pure and deterministic: safe inside Temporal's workflow sandbox.
 */
import { parse, type Duration } from 'tinyduration';
import { businessDaysOf } from './workingCalendar.js';

export type IsoDuration = string;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function parseDuration(text: IsoDuration): Duration {
  return parse(text);
}

/**
 * An ISO 8601 duration, or a count of business days (`2 business days`), which a deadline counts on
 * its team's working calendar (domain/workingCalendar.ts) and nothing else may use.
 */
export function isDuration(text: string): boolean {
  if (businessDaysOf(text) !== undefined) return true;
  return isIsoDuration(text);
}

export function isIsoDuration(text: string): boolean {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}

function addMonthsUtc(ms: number, months: number): number {
  const date = new Date(ms);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  // Clamp to the end of a shorter month instead of spilling into the next one.
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date.getTime();
}

/** `instant + duration`, in epoch milliseconds. */
export function addDuration(instantMs: number, duration: IsoDuration): number {
  const d = parseDuration(duration);
  const sign = d.negative ? -1 : 1;
  const months = sign * ((d.years ?? 0) * 12 + (d.months ?? 0));
  const fixed =
    (d.weeks ?? 0) * 7 * DAY +
    (d.days ?? 0) * DAY +
    (d.hours ?? 0) * HOUR +
    (d.minutes ?? 0) * 60_000 +
    (d.seconds ?? 0) * 1000;
  const afterMonths = months === 0 ? instantMs : addMonthsUtc(instantMs, months);
  return Math.round(afterMonths + sign * fixed);
}

/**
 * Nominal length in milliseconds (months on the calendar, a business day as 7/5 of a day), for
 * comparing and ordering durations only.
 */
export function nominalMs(duration: IsoDuration): number {
  const business = businessDaysOf(duration);
  if (business !== undefined) return Math.round((business * 7 * DAY) / 5);
  return addDuration(Date.UTC(2001, 0, 1), duration) - Date.UTC(2001, 0, 1);
}

export const iso = (ms: number): string => new Date(ms).toISOString();
export const ms = (isoInstant: string): number => Date.parse(isoInstant);
