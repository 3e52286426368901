/**
 * Who the person is, as staff are shown it: the NHS patient banner's fields, formatted by its
 * conventions (NHS Digital's Common User Interface patient banner: family name in capitals, then
 * given name; the NHS number in groups of 3-3-4; date of birth as `12-Mar-1938` with the age).
 *
 * Pure, so the dashboard and the API format a person the same way. It is never used in a workflow:
 * Temporal holds a pseudonym, and the person is read from the patient record in DynamoDB.
 */
import type { Actor } from './commands.js';
import { ageOn, type Gender } from './referral.js';

type Role = Actor['role'];

/** The person's details as the patient record holds them (activities/readModel.ts). */
export interface PersonDetails {
  nhsNumber: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  gender?: Gender;
  /** Address lines, without the postcode (which has a field of its own, for routing). */
  address?: string[];
  postcode?: string;
  phone?: string;
  gpPractice?: { name: string; odsCode?: string };
}

/**
 * What a role is shown of a person beside a journey. Those who care for the person see the whole
 * banner; a service manager overseeing caseloads, and a referrer following their referral, see who
 * it is; operations staff and administrators see no one (they work with the service, not with the
 * person, and the record routes, which log every read, are there when they must).
 */
export type PersonView = 'banner' | 'identity' | 'none';
export function personViewOf(role: Role): PersonView {
  switch (role) {
    case 'coordinator':
    case 'team-lead':
      return 'banner';
    case 'service-manager':
    case 'referrer':
    case 'discharge-team':
      return 'identity';
    default:
      return 'none';
  }
}

/** The person as a role may see them: the banner, its identity fields alone, or nothing. */
export interface PersonShown {
  /** "CRANE, Edith" */
  name: string;
  givenName: string;
  familyName: string;
  /** "943 476 5919" */
  nhsNumber: string;
  birthDate: string;
  /** "02-May-1938" */
  born: string;
  /** Whole years on `now`. */
  age: number;
  gender?: Gender;
  address?: string;
  phone?: string;
  gpPractice?: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `9434765919` → `943 476 5919`. */
export const formatNhsNumber = (nhs: string) => `${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}`;

/** `1938-05-02` → `02-May-1938`. */
export function formatBirthDate(birthDate: string): string {
  const [y, m, d] = birthDate.split('-');
  return `${d}-${MONTHS[Number(m) - 1] ?? m}-${y}`;
}

export const displayName = (p: Pick<PersonDetails, 'givenName' | 'familyName'>) =>
  `${p.familyName.toUpperCase()}, ${p.givenName}`;

export function personShown(p: PersonDetails, view: PersonView, now: Date): PersonShown | undefined {
  if (view === 'none') return undefined;
  const identity: PersonShown = {
    name: displayName(p),
    givenName: p.givenName,
    familyName: p.familyName,
    nhsNumber: formatNhsNumber(p.nhsNumber),
    birthDate: p.birthDate,
    born: formatBirthDate(p.birthDate),
    age: ageOn(p.birthDate, now.toISOString()),
  };
  if (view === 'identity') return identity;
  const address = [...(p.address ?? []), ...(p.postcode ? [p.postcode] : [])].join(', ');
  return {
    ...identity,
    ...(p.gender ? { gender: p.gender } : {}),
    ...(address ? { address } : {}),
    ...(p.phone ? { phone: p.phone } : {}),
    ...(p.gpPractice
      ? { gpPractice: p.gpPractice.odsCode ? `${p.gpPractice.name} (${p.gpPractice.odsCode})` : p.gpPractice.name }
      : {}),
  };
}
