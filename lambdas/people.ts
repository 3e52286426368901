/**
 * Naming the person beside what the API answers: journeys, journey pages and inbox items carry the
 * person as the caller's role may see them (domain/person.ts), read from the patient record in
 * DynamoDB with one batch read per page. Temporal never holds the person; the pseudonym a summary
 * keeps is how the two are joined, and it is not answered.
 */
import type { PatientRecord, ReadModel } from '../activities/readModel.js';
import { personShown, personViewOf, type PersonShown } from '../domain/person.js';
import type { Caller } from './auth.js';

type WithPerson<T> = Omit<T, 'patientId'> & { person?: PersonShown };

/** Each item with its person, by the pseudonym it holds (or its journey's, from `journeyOf`). */
export async function withPeople<T extends object>(
  read: ReadModel,
  caller: Caller,
  items: T[],
  now: Date,
  journeyOf?: (item: T) => string | undefined,
  /** The people, when already being read (one journey's, read beside it). */
  prefetched?: Promise<Map<string, PatientRecord>>,
): Promise<WithPerson<T>[]> {
  const view = personViewOf(caller.role);
  const own = (i: T) => (i as { patientId?: string }).patientId;
  const strip = (i: T): Omit<T, 'patientId'> => {
    const { patientId: _p, ...rest } = i as T & { patientId?: string };
    return rest;
  };
  if (view === 'none' || items.length === 0) return items.map(strip);
  // Items without a pseudonym of their own (an inbox item, an older summary) are named by their journey's.
  const missing = items.filter((i) => !own(i)).flatMap((i) => journeyOf?.(i) ?? []);
  const byJourney = missing.length ? await read.patientsOfJourneys(missing) : new Map<string, string>();
  const patientOf = (i: T) => own(i) ?? byJourney.get(journeyOf?.(i) ?? '');
  const people = (await prefetched) ?? (await read.people(items.flatMap((i) => patientOf(i) ?? [])));
  return items.map((i) => {
    const record = people.get(patientOf(i) ?? '');
    const person = record ? personShown(record, view, now) : undefined;
    return { ...strip(i), ...(person ? { person } : {}) };
  });
}
