/**
 * Loads the programme set: the built-in examples, or the JSON/YAML file named by
 * `CAREPATH_PROGRAMMES`. Reads the file system, so it is for workers and the API — never import
 * it from workflow code. An invalid file fails start-up with a message that names the file, the
 * programme and the field, because whoever edits it needs to know exactly what to fix.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { builtInHospitalFeeds } from '../domain/builtInHospitalFeeds.js';
import { builtInProgrammes, builtInReferralsSharedWithin } from '../domain/builtInProgrammes.js';
import type { HospitalFeeds } from '../domain/hospitalFeeds.js';
import { programmesFileSchema, type Programme } from '../domain/programme.js';

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
  return result.data;
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
