/**
 * Hospital stays, from the hospital's ADT messages: admissions pause community deadlines,
 * transfers and updates move the stay, discharges restart the clocks, bring the review forward
 * and open the post-discharge follow-up, and cancelled admissions (A11) and discharges (A13)
 * put things back. It is separate because it can happen at any stage and is driven by the
 * hospital's messages, not by people's commands, and it is the only code that changes
 * `in-hospital`.
 */
import { addDuration, iso, ms } from './durations.js';
import type { Actor, By, HospitalEvent, ReportedDischargeCommand } from './commands.js';
import {
  cancel,
  CONTROL_IDS_KEPT,
  audienceFor,
  dueAfter,
  findDeadline,
  JourneyRuleError,
  notify,
  openDeadlineNamed,
  openReview,
  phaseError,
  recipientsFor,
  record,
  team,
  touch,
  type HospitalStay,
  type JourneyState,
} from './journeyState.js';

// ---------------------------------------------------------------------------------------------
// Hospital admissions and discharges

const currentStay = (s: JourneyState): HospitalStay | undefined => {
  const last = s.hospitalStays.at(-1);
  return last && !last.dischargedAt ? last : undefined;
};

/** Applies an ADT event. Returns false when it changes nothing (a repeat, or nothing to undo). */
export function hospitalEvent(s: JourneyState, e: HospitalEvent, now: number): boolean {
  if (s.phase === 'closed' || s.seenControlIds.includes(e.controlId)) return false;
  s.seenControlIds.push(e.controlId);
  if (s.seenControlIds.length > CONTROL_IDS_KEPT) s.seenControlIds.shift();
  touch(s);
  // Hospital clocks drift and messages queue: an event is never later than when it reached us.
  const at = Math.min(e.occurredAt ? ms(e.occurredAt) : now, now);
  const by = 'hospital-adt';
  // A day case or an outpatient attendance is not a stay: recorded, it pauses nothing (HAZ-04).
  const attendance = e.patientClass === 'day-case' || e.patientClass === 'outpatient' ? e.patientClass : undefined;
  switch (e.event) {
    case 'A01':
      return attendance ? attend(s, at, now, attendance, e.location) : admit(s, at, now, e);
    case 'A02': {
      if (attendance) return false;
      const stay = currentStay(s);
      if (!stay) return admit(s, at, now, e); // the admission message never reached us
      stay.location = e.location ?? stay.location;
      record(s, now, 'hospital.transferred', by, `transferred${e.location ? ` to ${e.location}` : ''}`);
      return true;
    }
    case 'A08': {
      const stay = currentStay(s);
      if (stay && e.location && e.location !== stay.location) {
        stay.location = e.location;
        record(s, now, 'hospital.updated', by, `location now ${e.location}`);
        return true;
      }
      return false;
    }
    case 'A03':
      if (e.died) return diedInHospital(s, at, now, HOSPITAL);
      if (attendance || (!currentStay(s) && openAttendance(s, at))) return endAttendance(s, at, now);
      return e.transfer ? transferOut(s, at, now, e) : discharge(s, at, now, HOSPITAL);
    case 'A11':
      return cancelAdmission(s, now);
    case 'A13':
      return cancelDischarge(s, now);
  }
}

/**
 * A discharge reported by a person because the hospital will not send it (HAZ-20): only while the
 * person is in hospital as far as the journey knows, at a time between the admission and now.
 */
export function checkReportedDischarge(s: JourneyState, cmd: ReportedDischargeCommand, now: number): void {
  const stay = currentStay(s);
  if (!stay) throw phaseError(s, 'record a discharge (the person is not in hospital)');
  if (ms(cmd.at) > now) throw new JourneyRuleError('invalid', `a discharge cannot be in the future (${cmd.at})`);
  if (ms(cmd.at) < ms(stay.admittedAt))
    throw new JourneyRuleError('invalid', `the stay began at ${stay.admittedAt}: a discharge cannot be before it`);
}

export function recordReportedDischarge(s: JourneyState, cmd: By<ReportedDischargeCommand>, now: number): void {
  checkReportedDischarge(s, cmd, now);
  const where = currentStay(s)!.transferredOut ? ' from the hospital the person was transferred to' : '';
  const ended: EndedBy = {
    by: cmd.by,
    reportedBy: cmd.reportedBy,
    detail: `${cmd.died ? 'died in hospital' : 'discharged from hospital'}${where}, as reported by ${cmd.reportedBy}`,
  };
  touch(s);
  if (cmd.died) diedInHospital(s, ms(cmd.at), now, ended);
  else discharge(s, ms(cmd.at), now, ended);
}

/**
 * When the person last went home from hospital: the latest stay that ended in a discharge home
 * (not a death; a transfer does not end a stay), or the stay before the referral when a referral
 * states it (`lastDischargeAt`).
 */
/**
 * Whether a risk of suicide is flagged: as the assessment found it when it says, else as any
 * referral reported it (HAZ-08).
 */
export function suicideRisk(s: JourneyState): boolean {
  return s.assessment?.suicideRisk ?? s.referrals.some((r) => r.suicideRisk === true);
}

export function lastDischargeHome(s: JourneyState): number | undefined {
  const times = [
    ...s.hospitalStays.flatMap((x) => (x.dischargedAt && !x.died ? [ms(x.dischargedAt)] : [])),
    ...s.referrals.flatMap((r) => (r.lastDischargeAt ? [ms(r.lastDischargeAt)] : [])),
  ];
  return times.length ? Math.max(...times) : undefined;
}

function admit(s: JourneyState, at: number, now: number, e: Pick<HospitalEvent, 'location' | 'admission'>): boolean {
  const { location } = e;
  const current = currentStay(s);
  if (current?.transferredOut) {
    // The hospital the person was transferred to admits them: the same stay goes on there.
    delete current.transferredOut;
    if (location) current.location = location;
    record(
      s,
      now,
      'hospital.transferred',
      'hospital-adt',
      `arrived from another hospital${location ? ` at ${location}` : ''}`,
      {
        stayNo: current.stayNo,
      },
    );
    return true;
  }
  if (current) return false;
  // Only an unplanned admission soon after going home is a readmission: not a planned operation,
  // not a birth.
  const planned = e.admission === 'planned' || e.admission === 'maternity';
  const home = lastDischargeHome(s);
  const readmission =
    !planned && home !== undefined && home <= at && at <= addDuration(home, s.programme.readmissionWindow);
  s.counters.stays += 1;
  const stayNo = s.counters.stays;
  s.hospitalStays.push({
    stayNo,
    admittedAt: iso(at),
    readmission,
    ...(location ? { location } : {}),
    ...(planned ? { planned } : {}),
  });
  if (s.hospitalStays.length > 50) s.hospitalStays.shift();
  record(
    s,
    now,
    'hospital.admitted',
    'hospital-adt',
    `admitted${location ? ` to ${location}` : ''}${readmission ? ' (readmission)' : ''}`,
    { readmission, stayNo },
  );

  // Community work cannot happen while the person is on a ward: stop its clocks.
  const movesPhase = ['assessment', 'care-planning', 'active'].includes(s.communityPhase);
  if (movesPhase) {
    for (const d of s.deadlines)
      if (d.status === 'open' && d.name !== 'triage' && !d.pausedSince) d.pausedSince = iso(at);
    s.phase = 'in-hospital';
  }
  notify(s, now, {
    key: `admission#${stayNo}`,
    kind: 'notice',
    level: 0,
    deadline: 'hospital-admission',
    recipients: recipientsFor(s, 'coordinator'),
    audience: audienceFor(s, 'coordinator'),
    message: `Admitted to hospital${readmission ? ' within the readmission window' : ''}. Community deadlines are paused.`,
  });
  if (readmission) {
    notify(s, now, {
      key: `readmission#${stayNo}`,
      kind: 'escalation',
      level: 1,
      deadline: 'readmission',
      recipients: team(s).leads,
      audience: audienceFor(s, 'team-lead'),
      message: `Readmitted within ${s.programme.readmissionWindow} of the last discharge: for MDT review.`,
    });
  }
  return true;
}

/**
 * The stay an A03 ends, ended at `at` (never before it began): the current one, or one begun then
 * when the admission never reached us, since a discharge still needs what follows it.
 */
function endStay(s: JourneyState, at: number): HospitalStay & { dischargedAt: string } {
  let stay = currentStay(s);
  if (!stay) {
    s.counters.stays += 1;
    stay = { stayNo: s.counters.stays, admittedAt: iso(at), readmission: false };
    s.hospitalStays.push(stay);
  }
  delete stay.transferredOut;
  return Object.assign(stay, { dischargedAt: iso(Math.max(at, ms(stay.admittedAt))) });
}

/**
 * An A03 to another hospital. The person is still in hospital, so nothing a discharge home starts
 * happens: the stay goes on, its deadlines stay paused, and the next hospital's admission or
 * discharge continues it. The co-ordinator is told, since a hospital outside carepath's feeds
 * will never send the discharge home (HAZ-20).
 */
function transferOut(s: JourneyState, at: number, now: number, e: HospitalEvent): boolean {
  if (!currentStay(s)) admit(s, at, now, e); // the admission message never reached us
  const stay = currentStay(s)!;
  stay.transferredOut = { at: iso(Math.max(at, ms(stay.admittedAt))) };
  stay.transfers = (stay.transfers ?? 0) + 1;
  record(s, now, 'hospital.transferred-out', 'hospital-adt', 'transferred to another hospital; the stay goes on', {
    stayNo: stay.stayNo,
  });
  notify(s, now, {
    key: `transfer#${stay.stayNo}.${stay.transfers}`,
    kind: 'notice',
    level: 0,
    deadline: 'hospital-transfer',
    recipients: recipientsFor(s, 'coordinator'),
    audience: audienceFor(s, 'coordinator'),
    message:
      'Transferred to another hospital. Community deadlines stay paused until the discharge home. ' +
      'If that hospital does not send carepath its discharges, check with it when the person goes home.',
  });
  return true;
}

/**
 * The attendance an A03 at `at` ends: the latest, if not ended and begun within the day before
 * (a day case is the same day). An older one is not it: an A03 then is for a stay whose admission
 * never reached us, and must open its follow-up.
 */
const openAttendance = (s: JourneyState, at?: number) => {
  const last = s.attendances?.at(-1);
  return last && !last.endedAt && (at === undefined || at - ms(last.at) <= ATTENDANCE_MS) ? last : undefined;
};
const ATTENDANCE_MS = 24 * 3_600_000;

/** A day case or outpatient attendance: recorded, nothing paused, no readmission. */
function attend(
  s: JourneyState,
  at: number,
  now: number,
  kind: 'day-case' | 'outpatient',
  location: string | undefined,
): boolean {
  s.attendances = [...(s.attendances ?? []), { at: iso(at), kind, ...(location ? { location } : {}) }].slice(-50);
  record(
    s,
    now,
    'hospital.attended',
    'hospital-adt',
    `${kind === 'day-case' ? 'day case' : 'outpatient attendance'}${location ? ` at ${location}` : ''}`,
    {
      kind,
    },
  );
  return true;
}

/** The end of an attendance (its A03): recorded; no post-discharge contact, nothing restarted. */
function endAttendance(s: JourneyState, at: number, now: number): boolean {
  const open = openAttendance(s, at);
  if (!open) return false;
  open.endedAt = iso(Math.max(at, ms(open.at)));
  record(
    s,
    now,
    'hospital.attendance-ended',
    'hospital-adt',
    `${open.kind === 'day-case' ? 'day case' : 'attendance'} ended`,
    {
      kind: open.kind,
    },
  );
  return true;
}

/** Who ended a stay: the hospital's own message, or a person reporting what the hospital did not send. */
type EndedBy = { by: 'hospital-adt'; detail?: undefined } | { by: Actor; detail: string; reportedBy: string };
const HOSPITAL: EndedBy = { by: 'hospital-adt' };
const reported = (ended: EndedBy): Record<string, string> =>
  'reportedBy' in ended ? { reportedBy: ended.reportedBy } : {};

function discharge(s: JourneyState, at: number, now: number, ended: EndedBy): boolean {
  const stay = endStay(s, at);
  const dischargedAt = ms(stay.dischargedAt);

  // Restart the clocks where they stopped, and remember how, in case the discharge is cancelled.
  const undo: NonNullable<HospitalStay['undoDischarge']>['deadlines'] = [];
  for (const d of s.deadlines) {
    if (d.status !== 'open' || !d.pausedSince) continue;
    undo.push({ id: d.id, dueAt: d.dueAt, pausedSince: d.pausedSince });
    d.dueAt = iso(ms(d.dueAt) + Math.max(0, dischargedAt - ms(d.pausedSince)));
    delete d.pausedSince;
  }
  // An older post-discharge follow-up is overtaken by this one.
  for (const d of s.deadlines.filter((x) => x.name === 'post-discharge-contact' && x.status === 'open'))
    cancel(s, d, 'superseded by a later discharge');
  const review = openReview(s);
  if (review) {
    const broughtForward = dueAfter(s, dischargedAt, s.programme.deadlines.reviewAfterDischarge);
    if (broughtForward < ms(review.dueAt)) {
      if (!undo.some((u) => u.id === review.id)) undo.push({ id: review.id, dueAt: review.dueAt });
      review.dueAt = iso(Math.max(broughtForward, now));
    }
  }
  if (s.phase === 'in-hospital') s.phase = s.communityPhase;
  // A discharge after a cancelled one (A03, A13, A03) gets ids of its own: a new follow-up deadline
  // and a new notice, never a second notification under the first one's id.
  stay.discharges = (stay.discharges ?? 0) + 1;
  const nth = stay.discharges === 1 ? `${stay.stayNo}` : `${stay.stayNo}.${stay.discharges}`;
  const atRisk = suicideRisk(s) && s.programme.deadlines.postDischargeContactIfSuicideRisk;
  const followUp = openDeadlineNamed(
    s,
    'post-discharge-contact',
    now,
    dueAfter(s, dischargedAt, atRisk || s.programme.deadlines.postDischargeContact),
    `post-discharge-contact#${nth}`,
  );
  stay.undoDischarge = { deadlines: undo, postDischargeDeadlineId: followUp.id };
  record(s, now, 'hospital.discharged', ended.by, ended.detail ?? 'discharged from hospital', {
    stayNo: stay.stayNo,
    readmission: stay.readmission,
    ...(atRisk ? { suicideRisk: true } : {}),
    ...reported(ended),
  });
  notify(s, now, {
    key: `discharge#${nth}`,
    kind: 'notice',
    level: 0,
    deadline: 'post-discharge-contact',
    dueAt: followUp.dueAt,
    recipients: recipientsFor(s, 'coordinator'),
    audience: audienceFor(s, 'coordinator'),
    message: atRisk
      ? `Discharged from hospital with a risk of suicide flagged: contact due by ${followUp.dueAt} (${atRisk}).`
      : `Discharged from hospital: contact due by ${followUp.dueAt}.`,
  });
  return true;
}

/**
 * A death in hospital. The stay ends, and nothing that follows a discharge home happens: no
 * post-discharge contact, no review brought forward. Every deadline stays stopped — paused by the
 * admission, or paused now if the admission never reached us — so no ladder chases anyone about
 * a person who has died. The co-ordinator is told and asked to close the journey as deceased.
 * An A13 that cancels it puts the person back on the ward, the deadlines still paused.
 */
function diedInHospital(s: JourneyState, at: number, now: number, ended: EndedBy): boolean {
  const stay = endStay(s, at);
  stay.died = true;
  stay.discharges = (stay.discharges ?? 0) + 1;
  stay.undoDischarge = { deadlines: [] };
  for (const d of s.deadlines) if (d.status === 'open' && !d.pausedSince) d.pausedSince = stay.dischargedAt;
  if (s.phase === 'in-hospital') s.phase = s.communityPhase;
  const nth = stay.discharges === 1 ? `${stay.stayNo}` : `${stay.stayNo}.${stay.discharges}`;
  record(s, now, 'hospital.died', ended.by, ended.detail ?? 'died in hospital', {
    stayNo: stay.stayNo,
    ...reported(ended),
  });
  // The one call that is still owed, where the programme says so: to the carer (HAZ-22).
  const within = s.programme.bereavement?.contactWithin;
  const carer = knownCarer(s);
  const bereavement =
    within && carer
      ? openDeadlineNamed(
          s,
          'bereavement-contact',
          now,
          addDuration(ms(stay.dischargedAt), within),
          `bereavement-contact#${nth}`,
        )
      : undefined;
  if (bereavement) stay.undoDischarge.postDischargeDeadlineId = bereavement.id;
  notify(s, now, {
    key: `death#${nth}`,
    kind: 'notice',
    level: 0,
    deadline: 'hospital-death',
    ...(bereavement ? { dueAt: bereavement.dueAt } : {}),
    recipients: recipientsFor(s, 'coordinator'),
    audience: audienceFor(s, 'coordinator'),
    message: bereavement
      ? `Died in hospital on ${stay.dischargedAt.slice(0, 10)}. Nothing more is chased but a bereavement contact with the carer${carer === true ? '' : ` (${carer})`}, due by ${bereavement.dueAt}; then please close this journey as deceased.`
      : `Died in hospital on ${stay.dischargedAt.slice(0, 10)}. Nothing more is chased; please close this journey as deceased.`,
  });
  return true;
}

/**
 * The person's carer as far as the journey knows: the assessment's word if it asked, else any
 * referral's. Their relationship when one was given, `true` when not, `undefined` when none is known.
 */
function knownCarer(s: JourneyState): string | true | undefined {
  const assessed = s.assessment?.carer;
  if (assessed) return assessed.present ? (assessed.relationship ?? true) : undefined;
  const referred = s.referrals.find((r) => r.carer)?.carer;
  return referred ? (referred.relationship ?? true) : undefined;
}

function cancelAdmission(s: JourneyState, now: number): boolean {
  const stay = currentStay(s);
  if (!stay) return false;
  s.hospitalStays.pop();
  // The admission never happened: clocks run on as if they had never stopped.
  for (const d of s.deadlines) if (d.status === 'open') delete d.pausedSince;
  if (s.phase === 'in-hospital') s.phase = s.communityPhase;
  record(s, now, 'hospital.admission-cancelled', 'hospital-adt', 'admission cancelled (A11)', { stayNo: stay.stayNo });
  return true;
}

function cancelDischarge(s: JourneyState, now: number): boolean {
  const stay = s.hospitalStays.at(-1);
  if (stay?.transferredOut && !stay.dischargedAt) {
    delete stay.transferredOut;
    record(s, now, 'hospital.transfer-cancelled', 'hospital-adt', 'transfer to another hospital cancelled (A13)', {
      stayNo: stay.stayNo,
    });
    return true;
  }
  if (!stay?.dischargedAt || !stay.undoDischarge) return false;
  const undo = stay.undoDischarge;
  for (const u of undo.deadlines) {
    const d = findDeadline(s, u.id);
    if (!d || d.status !== 'open') continue;
    d.dueAt = u.dueAt;
    if (u.pausedSince) d.pausedSince = u.pausedSince;
  }
  if (undo.postDischargeDeadlineId) cancel(s, findDeadline(s, undo.postDischargeDeadlineId), 'discharge cancelled');
  delete stay.dischargedAt;
  delete stay.died;
  delete stay.undoDischarge;
  if (['assessment', 'care-planning', 'active'].includes(s.communityPhase)) s.phase = 'in-hospital';
  record(s, now, 'hospital.discharge-cancelled', 'hospital-adt', 'discharge cancelled (A13)', { stayNo: stay.stayNo });
  return true;
}
