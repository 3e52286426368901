/**
 * carepath's one DynamoDB table: its definition (used by the local bootstrap, the tests and CDK)
 * and the keys of every item, so each access pattern is a GetItem or a Query — never a Scan.
 *
 * | access pattern                                  | served by                                              |
 * |-------------------------------------------------|--------------------------------------------------------|
 * | patient by pseudonymous id                      | GetItem  pk=PATIENT#<patientId>  sk=PROFILE             |
 * | patient by NHS number                           | HMAC(NHS number) → patient id, then the GetItem above   |
 * | patients born on a day, by name (search)        | Query GSI1 pk=BORN#<yyyy-mm-dd>, sk=<FAMILY>#<GIVEN>#<id> |
 * | referrals a referrer made, newest first         | Query GSI2 pk=REFERRED-BY#<sub>, sk=<receivedAt>#<id>    |
 * | referrals an organisation made, newest first    | Query GSI1 pk=REFERRED-BY-ORG#<ods>, sk=<receivedAt>#<id> |
 * | journey summary by id                           | GetItem  pk=JOURNEY#<journeyId>  sk=SUMMARY             |
 * | journey state as recorded (what reads answer)   | GetItem  pk=JOURNEY#<journeyId>  sk=STATE               |
 * | the record's entries of a journey, in order     | Query    pk=JOURNEY#<journeyId>  sk begins_with ENTRY#  |
 * | a referral's demographics as received           | GetItem  pk=PATIENT#<patientId>  sk=REFERRAL#<id>       |
 * | a person's journeys (erasure, and "not recorded yet") | Query pk=PATIENT#<patientId> sk begins_with JOURNEY# |
 * | a person's demographic amendments, in order     | Query    pk=PATIENT#<patientId>  sk begins_with AMENDMENT# |
 * | a journey's entries marked entered in error     | GetItem  pk=CORRECTION#<journeyId>  sk=MARKS            |
 * | reads of a person's record in a period          | Query    pk=ACCESS#<patientId>  sk between times         |
 * | a reader's reads in a period                    | Query GSI1 pk=ACCESS-BY#<userId>, sk between times      |
 * | every read on a day                             | Query GSI2 pk=ACCESS-ON#<yyyy-mm-dd>, sk between times  |
 * | closed records past retention                   | Query GSI3 pk=RETAIN-UNTIL#<yyyy>, sk < <now>           |
 * | deletions (retention and erasure), by year      | Query    pk=DELETIONS#<yyyy>                            |
 * | break-glass codec sessions in a period, by year | Query    pk=BREAK-GLASS#<yyyy>  sk between times       |
 * | journeys of a team in a phase, by next due time | Query GSI1 pk=TEAM#<team>#PHASE#<phase>, sk=<due>#<id>  |
 * | open journeys of a co-ordinator, by next due    | Query GSI2 pk=COORD#<coordinatorId>, sk=<due>#<id>      |
 * | overdue journeys of a team (range query)        | Query GSI3 pk=TEAM#<team>#OPEN, sk < <now>              |
 * | audit events of a journey, in order             | Query    pk=JOURNEY#<journeyId>  sk begins_with AUDIT#  |
 * | whose inboxes a journey's notifications reached | Query    pk=JOURNEY#<journeyId>  sk begins_with SENT#   |
 * | a team's alerts that reached no one             | Query    pk=UNROUTED#<team>                             |
 * | audit events of a team in a period (metrics)    | Query GSI1 pk=EVENTS#<team>#<yyyy-mm>, sk between times |
 * | inbox of a user, newest first                   | Query    pk=INBOX#<userId>, ScanIndexForward=false      |
 * | processed ADT message ids                       | GetItem/conditional Put pk=ADT#<facility>#<controlId>   |
 * | caseload counters of a team                     | Query    pk=CASELOAD#<team>  sk begins_with COORD#      |
 * | which co-ordinator holds a journey's place      | GetItem  pk=CASELOAD#<team>  sk=JOURNEY#<journeyId>     |
 * | a person in the staff directory, their absences | Query    pk=STAFF#<staffId> (PROFILE, ABSENCE#<from>#<id>) |
 * | a team's staff, with their roles there          | Query    pk=TEAM-STAFF#<team>                          |
 * | who in a team is away now (or later)            | Query    pk=TEAM-ABSENCE#<team>  sk > <now>             |
 * | a team's caseload moves, newest first           | Query    pk=CASELOAD-MOVE#<team>, ScanIndexForward=false |
 * | a team's MDT meetings (and amendments), newest first | Query pk=MDT#<team> sk begins_with MEETING# (AMENDMENT#) |
 *
 * Journeys with nothing due sort last (`~`) so lists stay ordered by urgency.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const DEFAULT_TABLE_NAME = 'carepath';

export const indexes = {
  byTeamPhase: 'GSI1',
  byCoordinator: 'GSI2',
  openByTeam: 'GSI3',
} as const;

const gsi = (name: string) => ({
  IndexName: name,
  KeySchema: [
    { AttributeName: `${name.toLowerCase()}pk`, KeyType: 'HASH' as const },
    { AttributeName: `${name.toLowerCase()}sk`, KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: 'ALL' as const },
});

/** The table, in the shape CreateTable takes. CDK builds the same keys and indexes from this. */
export function tableDefinition(tableName = DEFAULT_TABLE_NAME): CreateTableCommandInput & { TableName: string } {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'].map(
      (AttributeName) => ({
        AttributeName,
        AttributeType: 'S' as const,
      }),
    ),
    GlobalSecondaryIndexes: Object.values(indexes).map(gsi),
  };
}

/** Time-to-live attribute: processed ADT ids expire after a while. */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * A name as search compares it: capitals, no accents, no spaces, hyphens or apostrophes
 * ("O'Brien-Smith" and "obrien smith" are the same). Indexes and queries both use it.
 */
export const searchableName = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z]/g, '');

/** Where a person's profile is listed for search by name and date of birth (GSI1, on the profile item). */
export const personIndexKeys = (p: {
  patientId: string;
  birthDate: string;
  familyName: string;
  givenName: string;
}) => ({
  gsi1pk: `BORN#${p.birthDate}`,
  gsi1sk: `${searchableName(p.familyName)}#${searchableName(p.givenName)}#${p.patientId}`,
});

/**
 * Where a referral as received is listed for its referrer (GSI2, on the referral item), and for
 * the referrer's organisation (GSI1) when the referrer's sign-in names one: whether colleagues may
 * read that list is the configuration's to say (`referralsSharedWithin`), at the time they ask.
 */
export const referrerIndexKeys = (r: {
  receivedBy: string;
  receivedByOrganisation?: string;
  receivedAt: string;
  referralId: string;
}) => ({
  gsi2pk: `REFERRED-BY#${r.receivedBy}`,
  gsi2sk: `${r.receivedAt}#${r.referralId}`,
  ...(r.receivedByOrganisation
    ? { gsi1pk: `REFERRED-BY-ORG#${r.receivedByOrganisation}`, gsi1sk: `${r.receivedAt}#${r.referralId}` }
    : {}),
});

export const keys = {
  patient: (patientId: string) => ({ pk: `PATIENT#${patientId}`, sk: 'PROFILE' }),
  /** One caller's requests through one limited door in one window (lambdas/rateLimits.ts); expires. */
  rateWindow: (door: string, caller: string, windowStart: number) => ({
    pk: `RATE#${door}#${caller}`,
    sk: `WINDOW#${windowStart}`,
  }),
  journey: (journeyId: string) => ({ pk: `JOURNEY#${journeyId}`, sk: 'SUMMARY' }),
  journeyState: (journeyId: string) => ({ pk: `JOURNEY#${journeyId}`, sk: 'STATE' }),
  recordEntry: (journeyId: string, seq: number) => ({
    pk: `JOURNEY#${journeyId}`,
    sk: `ENTRY#${String(seq).padStart(10, '0')}`,
  }),
  referralAsReceived: (patientId: string, referralId: string) => ({
    pk: `PATIENT#${patientId}`,
    sk: `REFERRAL#${referralId}`,
  }),
  /** That a journey of this person exists: written by the API when a referral opens or joins it. */
  patientJourney: (patientId: string, journeyId: string) => ({
    pk: `PATIENT#${patientId}`,
    sk: `JOURNEY#${journeyId}`,
  }),
  /**
   * A correction to what `owner` holds, in the order made: a person's demographics (`PATIENT#…`),
   * or, before issue 20, a journey's entry marked entered in error (`JOURNEY#…`).
   */
  amendment: (owner: string, at: string, id: string) => ({ pk: owner, sk: `AMENDMENT#${at}#${id}` }),
  /**
   * Which of a journey's entries were entered in error: one attribute per entry (who, when, why),
   * each set once. Beside the journey, not in its partition, so the API never writes the journey's
   * (its audit trail's); one item, so a journey read fetches it with the state in one request.
   */
  entriesInError: (journeyId: string) => ({ pk: `CORRECTION#${journeyId}`, sk: 'MARKS' }),
  /** A read of a person's record: by person here, by reader in GSI1, by day in GSI2. */
  access: (patientId: string, userId: string, at: string, id: string) => ({
    pk: `ACCESS#${patientId}`,
    sk: `${at}#${id}`,
    gsi1pk: `ACCESS-BY#${userId}`,
    gsi1sk: `${at}#${id}`,
    gsi2pk: `ACCESS-ON#${at.slice(0, 10)}`,
    gsi2sk: `${at}#${id}`,
  }),
  /** A break-glass codec session (lambdas/codecSessions.ts): who, when and why. Append-only, like reads. */
  breakGlass: (at: string, id: string) => ({ pk: `BREAK-GLASS#${at.slice(0, 4)}`, sk: `${at}#${id}` }),
  audit: (journeyId: string, seq: number) => ({
    pk: `JOURNEY#${journeyId}`,
    sk: `AUDIT#${String(seq).padStart(10, '0')}`,
  }),
  inbox: (userId: string, createdAt: string, notificationId: string) => ({
    pk: `INBOX#${userId}`,
    sk: `${createdAt}#${notificationId}`,
  }),
  /**
   * That a notification reached someone's inbox: written before the inbox item, so erasing the
   * journey finds every inbox it reached (cover and the next role up included) from its own partition.
   */
  sentTo: (journeyId: string, notificationId: string, recipient: string) => ({
    pk: `JOURNEY#${journeyId}`,
    sk: `SENT#${notificationId}#${recipient}`,
  }),
  /** A notification the staff directory had no one to give (domain/staff.ts), kept for its team to see. */
  unrouted: (teamId: string, createdAt: string, notificationId: string) => ({
    pk: `UNROUTED#${teamId}`,
    sk: `${createdAt}#${notificationId}`,
  }),
  adtMessage: (facility: string, controlId: string) => ({ pk: `ADT#${facility}#${controlId}`, sk: 'MSG' }),
  coordinatorLoad: (teamId: string, coordinatorId: string) => ({
    pk: `CASELOAD#${teamId}`,
    sk: `COORD#${coordinatorId}`,
  }),
  caseloadPlace: (teamId: string, journeyId: string) => ({ pk: `CASELOAD#${teamId}`, sk: `JOURNEY#${journeyId}` }),
  /** A person in the staff directory. */
  staff: (staffId: string) => ({ pk: `STAFF#${staffId}`, sk: 'PROFILE' }),
  /** A period a person is away, by when it starts. */
  staffAbsence: (staffId: string, from: string, absenceId: string) => ({
    pk: `STAFF#${staffId}`,
    sk: `ABSENCE#${from}#${absenceId}`,
  }),
  /** That a person works in a team (with their roles there): a team's staff is one Query. */
  teamMember: (teamId: string, staffId: string) => ({ pk: `TEAM-STAFF#${teamId}`, sk: `STAFF#${staffId}` }),
  /** A caseload move's progress (workflows/caseloadMove.ts), newest last in its team's partition. */
  caseloadMove: (teamId: string, requestedAt: string, moveId: string) => ({
    pk: `CASELOAD-MOVE#${teamId}`,
    sk: `${requestedAt}#${moveId}`,
  }),
  /** An absence, listed under each of the person's teams by when it ends: who is away now is a range query. */
  teamAbsence: (teamId: string, to: string, absenceId: string) => ({
    pk: `TEAM-ABSENCE#${teamId}`,
    sk: `${to}#${absenceId}`,
  }),
};

/** Audit events share GSI1 with journey summaries (an overloaded index), partitioned by team and month. */
export const eventIndexKeys = (teamId: string, at: string, journeyId: string, seq: number) => ({
  gsi1pk: `EVENTS#${teamId}#${at.slice(0, 7)}`,
  gsi1sk: `${at}#${journeyId}#${String(seq).padStart(10, '0')}`,
});

/**
 * A closed journey's state item in GSI3, partitioned by the year its retention ends, so the records
 * past retention are a range query per year (the open-journey lists share the index).
 */
export const retentionIndexKeys = (journeyId: string, retainUntil: string | undefined) =>
  retainUntil
    ? { retainUntil, gsi3pk: `RETAIN-UNTIL#${retainUntil.slice(0, 4)}`, gsi3sk: `${retainUntil}#${journeyId}` }
    : {};

/** The months (`yyyy-mm`) a period touches, for the event index's partitions. */
export function monthsBetween(from: Date, to: Date): string[] {
  const months: string[] = [];
  const cursor = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
  while (cursor < to) {
    months.push(cursor.toISOString().slice(0, 7));
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return months;
}

/** Sort key of a journey in the due-time indexes. */
export const dueSortKey = (nextDueAt: string | null, journeyId: string): string => `${nextDueAt ?? '~'}#${journeyId}`;
