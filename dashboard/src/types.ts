/**
 * The shapes the dashboard reads. Journey views and metrics come straight from the domain code the
 * API itself uses; the directory mirrors lambdas/directory.ts.
 */
import type { Metrics as ComputedMetrics, Shown } from '../../domain/metrics';
import type { EnteredInErrorMark } from '../../domain/record';
import type { PersonShown } from '../../domain/person';
import type { Absence, StaffMember } from '../../domain/staff';
import type { Instrument } from '../../domain/outcomeMeasures';
import type { JourneyDetail as LiveDetail, JourneySummary as Summary } from '../../domain/views';

export type { PersonShown, StaffMember };
export type StaffAbsence = Absence;
export type { CaseloadMoveProgress as CaseloadMove } from '../../domain/caseloadMove';
/** What the API adds to a journey or an inbox item: the person, as the caller's role may see them. */
type Named<T> = Omit<T, 'patientId'> & { person?: PersonShown };
export type JourneySummary = Named<Summary>;

type Marked<T> = T & { enteredInError?: EnteredInErrorMark };
/** A journey as the API reads it from the record: the live view, with corrections beside entries. */
export type JourneyDetail = Named<Omit<LiveDetail, 'timeline' | 'contacts' | 'reviews' | 'measures'>> & {
  timeline: Marked<LiveDetail['timeline'][number]>[];
  measures: Marked<LiveDetail['measures'][number]>[];
  contacts: Marked<LiveDetail['contacts'][number]>[];
  reviews: Marked<LiveDetail['reviews'][number]>[];
  enteredInError?: EnteredInErrorMark[];
};
/**
 * Metrics as the API gives them: to anyone outside the teams they cover, small counts come as "<5"
 * and what is worked out from them as null (domain/metrics.ts).
 */
export type Metrics = Shown<ComputedMetrics> & { smallNumbersBelow?: number };
export type { DashboardConfig } from '../../domain/dashboardConfig';

export type Role =
  | 'referrer'
  | 'coordinator'
  | 'team-lead'
  | 'service-manager'
  | 'discharge-team'
  | 'integration'
  | 'ops'
  | 'ig-lead'
  | 'admin';

export interface User {
  sub: string;
  name: string;
  role: Role;
  teams: string[];
  /** The organisation (ODS code) the person works for, where their sign-in names one. */
  organisation?: string;
}

export interface TeamDirectory {
  id: string;
  name: string;
  coordinators: { id: string; name: string; maxCaseload: number }[];
  leads: string[];
  serviceManagers: string[];
}

export interface ProgrammeDirectory {
  id: string;
  name: string;
  description?: string;
  recordsPlaceOfDeath: boolean;
  /** The outcome measures it takes, each instrument in full. */
  outcomes?: { instrument: Instrument; every: string; atClosure?: boolean }[];
  teams: TeamDirectory[];
}

export interface InboxItem {
  id: string;
  journeyId: string;
  kind: 'reminder' | 'overdue' | 'escalation' | 'notice';
  deadline: string;
  level: 0 | 1 | 2;
  dueAt: string | null;
  createdAt: string;
  deliveredAt?: string;
  message?: string;
  ackedAt?: string;
  person?: PersonShown;
  /** Whose work it is, when it reached you as their cover. */
  onBehalfOf?: string;
}

/** A referral its referrer made, and what became of it (`GET /referrals?mine=true`). */
export interface MyReferral {
  referralId: string;
  receivedAt: string;
  programme: string;
  journeyId?: string;
  person?: PersonShown;
  status: 'received' | 'accepted' | 'declined' | 'closed';
  reason?: string;
  coordinator?: { id: string; name: string };
  closedAt?: string;
  /** Who made it, in an organisation's list. */
  referredBy?: string;
}

/** A person found by search, with the journeys the searcher may see. */
export interface FoundPerson {
  person: PersonShown;
  journeys: JourneySummary[];
}

export interface Caseload {
  coordinatorId: string;
  name: string;
  caseload: number;
  capacity: number;
  /** Away now: until when, and who covers (else the team's leads). */
  away?: { until: string; coverId?: string };
}

/** An alert the staff directory had no one in the team to give to (HAZ-27). */
export interface UnroutedAlert {
  notificationId: string;
  journeyId: string;
  kind: string;
  level: number;
  deadline: string;
  message: string;
  createdAt: string;
}

/** Staff who work journeys (and so see the team, journey and inbox views). */
export const isStaff = (role: Role) => ['coordinator', 'team-lead', 'service-manager', 'ops', 'admin'].includes(role);
/** Roles that may read evaluation metrics. */
export const seesMetrics = (role: Role) => ['team-lead', 'service-manager', 'ops', 'admin'].includes(role);
/** Co-ordinators and team leads are kept to their own teams. */
export const isTeamScoped = (role: Role) => role === 'coordinator' || role === 'team-lead';
/** Roles that see a team's staff, and (leads and administrators) manage absences. */
export const seesStaff = (role: Role) => ['team-lead', 'service-manager', 'admin'].includes(role);
/** Roles that may search for a person (GET /patients). */
export const searches = (role: Role) => ['coordinator', 'team-lead', 'service-manager'].includes(role);
/** Roles that make referrals by hand and follow them (POST and GET /referrals). */
export const refers = (role: Role) => ['referrer', 'coordinator', 'team-lead', 'admin'].includes(role);
