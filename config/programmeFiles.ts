/**
 * Loads the programme set: the built-in examples, or the JSON/YAML file named by
 * `CAREPATH_PROGRAMMES`. Reads the file system, so it is for workers and the API — never import
 * it from workflow code. An invalid file fails start-up with a message that names the file, the
 * programme and the field, because whoever edits it needs to know exactly what to fix.
 */
import { readFileSync } from 'node:fs';
import Holidays from 'date-holidays';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { builtInHospitalFeeds } from '../domain/builtInHospitalFeeds.js';
import { builtInProgrammes, builtInReferralsSharedWithin } from '../domain/builtInProgrammes.js';
import type { HospitalFeeds } from '../domain/hospitalFeeds.js';
import { programmesFileSchema, type Programme } from '../domain/programme.js';
import type { WorkingCalendar } from '../domain/workingCalendar.js';

export class ProgrammeConfigError extends Error {
  override name = 'ProgrammeConfigError';
}

function describeIssues(source: string, raw: unknown, error: z.ZodError): string {
  const programmes = (raw as { programmes?: { id?: unknown }[] } | null)?.programmes;
  const lines = error.issues.map((issue) => {
    const [top, index, ...field] = issue.path;
    if (top === 'programmes' && typeof index === 'number') {
      const id = programmes?.[index]?.id;
      const name = typeof id === 'string' ? `programme "${id}"` : `programme #${index + 1}`;
      return `${name}, field ${field.length ? field.join('.') : '(whole programme)'}: ${issue.message}`;
    }
    return `field ${issue.path.join('.') || '(top level)'}: ${issue.message}`;
  });
  return `${source} is not a valid programme configuration:\n  ${lines.join('\n  ')}`;
}

export function parseProgrammes(raw: unknown, source: string): Programme[] {
  return parseConfiguration(raw, source).programmes;
}

function parseConfiguration(raw: unknown, source: string) {
  const result = programmesFileSchema.safeParse(raw);
  if (!result.success) throw new ProgrammeConfigError(describeIssues(source, raw, result.error));
  return { ...result.data, programmes: result.data.programmes.map((p) => withBankHolidays(p)) };
}

/** date-holidays' region for each calendar's `bankHolidays` (Wales keeps England's). */
const holidayRegion = { 'england-and-wales': 'ENG', scotland: 'SCT', 'northern-ireland': 'NIR' } as const;
/** Years of bank holidays a journey is given: from last year to ten years on, longer than most journeys run. */
const HOLIDAY_YEARS_BACK = 1;
const HOLIDAY_YEARS_AHEAD = 10;

/**
 * Fills each working calendar's `holidays` with its region's bank holidays (date-holidays, which
 * keeps substitute days and one-off holidays such as a state funeral), beside the days the file
 * names. A journey keeps the list in its programme snapshot, so it never looks holidays up while
 * it runs or replays (domain/workingCalendar.ts).
 */
export function withBankHolidays(p: Programme, now = new Date()): Programme {
  const fill = (cal: WorkingCalendar | undefined): WorkingCalendar | undefined => {
    if (!cal || cal.bankHolidays === 'none') return cal;
    const holidays = new Holidays('GB', holidayRegion[cal.bankHolidays]);
    const year = now.getUTCFullYear();
    const bank: string[] = [];
    for (let y = year - HOLIDAY_YEARS_BACK; y <= year + HOLIDAY_YEARS_AHEAD; y += 1)
      for (const h of holidays.getHolidays(y)) if (h.type === 'public') bank.push(h.date.slice(0, 10));
    return { ...cal, holidays: [...new Set([...cal.holidays, ...bank])].sort() };
  };
  const calendar = fill(p.calendar);
  return {
    ...p,
    ...(calendar ? { calendar } : {}),
    teams: p.teams.map((t) => {
      const own = fill(t.calendar);
      return own ? { ...t, calendar: own } : t;
    }),
  };
}

export function loadProgrammesFile(file: string): Programme[] {
  return parseConfiguration(readConfigurationFile(file), `CAREPATH_PROGRAMMES=${file}`).programmes;
}

/**
 * Who may send hospital events, and each facility's codes: the `hospitalFeeds` of the file named by
 * `CAREPATH_PROGRAMMES`, or the built-in examples' when it is not set. A file without the section
 * names no sender, so every hospital event is refused until one is named (HAZ-10).
 */
export function loadHospitalFeeds(env: NodeJS.ProcessEnv = process.env): HospitalFeeds {
  const file = env.CAREPATH_PROGRAMMES;
  if (!file) return builtInHospitalFeeds;
  return (
    parseConfiguration(readConfigurationFile(file), `CAREPATH_PROGRAMMES=${file}`).hospitalFeeds ?? {
      senders: [],
      codeTables: {},
    }
  );
}

/**
 * The referrer organisations whose referrers follow all the organisation's referrals: the
 * `referralsSharedWithin` of the file named by `CAREPATH_PROGRAMMES`, or the built-in examples'.
 */
export function loadReferralsSharedWithin(env: NodeJS.ProcessEnv = process.env): string[] {
  const file = env.CAREPATH_PROGRAMMES;
  if (!file) return builtInReferralsSharedWithin;
  return parseConfiguration(readConfigurationFile(file), `CAREPATH_PROGRAMMES=${file}`).referralsSharedWithin;
}

function readConfigurationFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ProgrammeConfigError(`CAREPATH_PROGRAMMES=${file} cannot be read: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ProgrammeConfigError(
      `CAREPATH_PROGRAMMES=${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message}`,
    );
  }
  return raw;
}

/** The programmes this process runs: `CAREPATH_PROGRAMMES` if set, else the built-in examples. */
export function loadProgrammes(env: NodeJS.ProcessEnv = process.env): Programme[] {
  const file = env.CAREPATH_PROGRAMMES;
  return file ? loadProgrammesFile(file) : parseProgrammes({ programmes: builtInProgrammes }, 'built-in programmes');
}
