/**
 * The quarters commissioners report in: the NHS financial year runs from 1 April, so Q1 is April
 * to June and Q4 January to March of the next calendar year. A quarter starts and ends at midnight
 * in Europe/London, so a referral at 00:30 BST on 1 July is in Q2, not Q1.
 *
 * Named `2026-27-Q1`: both years, so no one reads "2026 Q1" as January to March 2026.
 */
import { londonOffsetMinutes, londonWallTime } from './londonTime.js';

export interface ReportingQuarter {
  id: string;
  /** "Q1 2026/27" */
  label: string;
  /** "April to June 2026" */
  months: string;
  from: Date;
  /** The first instant after the quarter. */
  to: Date;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function quarterOf(startYear: number, q: 1 | 2 | 3 | 4): ReportingQuarter {
  // Q1 starts in April of the financial year's first calendar year; Q4 in January of its second.
  const firstMonth = q === 4 ? 1 : 3 * q + 1;
  const year = q === 4 ? startYear + 1 : startYear;
  const next = q === 4 ? { year, month: 4 } : q === 3 ? { year: year + 1, month: 1 } : { year, month: firstMonth + 3 };
  const yy = String((startYear + 1) % 100).padStart(2, '0');
  return {
    id: `${startYear}-${yy}-Q${q}`,
    label: `Q${q} ${startYear}/${yy}`,
    months: `${MONTHS[firstMonth - 1]} to ${MONTHS[firstMonth + 1]} ${year}`,
    from: new Date(londonWallTime(year, firstMonth, 1)),
    to: new Date(londonWallTime(next.year, next.month, 1)),
  };
}

/** The quarter `2026-27-Q1` names, or undefined when it names none. */
export function reportingQuarter(id: string): ReportingQuarter | undefined {
  const m = /^(\d{4})-(\d{2})-Q([1-4])$/.exec(id);
  if (!m) return undefined;
  const startYear = Number(m[1]);
  if (Number(m[2]) !== (startYear + 1) % 100 || startYear < 2000) return undefined;
  return quarterOf(startYear, Number(m[3]) as 1 | 2 | 3 | 4);
}

/** The quarter `at` falls in, in London's calendar. */
export function quarterContaining(at: Date): ReportingQuarter {
  const local = new Date(at.getTime() + londonOffsetMinutes(at.getTime()) * 60_000);
  const month = local.getUTCMonth() + 1;
  const startYear = month >= 4 ? local.getUTCFullYear() : local.getUTCFullYear() - 1;
  const q = (month >= 4 ? Math.floor((month - 4) / 3) + 1 : 4) as 1 | 2 | 3 | 4;
  return quarterOf(startYear, q);
}

/** The last quarter that has ended by `now`: what a quarterly report is of unless asked otherwise. */
export function lastCompleteQuarter(now: Date): ReportingQuarter {
  const current = quarterContaining(now);
  return quarterContaining(new Date(current.from.getTime() - 1));
}
