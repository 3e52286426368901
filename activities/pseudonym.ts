/**
 * The pseudonymous patient id: a keyed hash (HMAC-SHA256) of the NHS number. Without the key,
 * nobody can go from the id back to the person or check a guessed NHS number against it; with it,
 * the same person always gets the same id, which is what lets referrals from different
 * organisations meet in one journey.
 */
import { createHmac } from 'node:crypto';
import { normaliseNhsNumber } from '../domain/nhsNumber.js';

export function pseudonymKeyFromEnv(env: NodeJS.ProcessEnv = process.env): Buffer {
  const key = env.CAREPATH_PSEUDONYM_KEY;
  if (!key || key.length < 32) {
    throw new Error(
      'CAREPATH_PSEUDONYM_KEY must be set to a secret of at least 32 characters (npm start generates one under the data directory).',
    );
  }
  return Buffer.from(key, 'utf8');
}

export function patientIdFor(nhsNumber: string, key: Buffer): string {
  const digits = normaliseNhsNumber(nhsNumber);
  if (!digits) throw new Error('not a valid NHS number');
  return `p${createHmac('sha256', key).update(digits).digest('hex').slice(0, 24)}`;
}
