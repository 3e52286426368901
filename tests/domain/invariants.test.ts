/**
 * The invariant checker, on journeys built with the real domain rules: the evidence a healthy
 * system leaves passes, and each kind of damage the chaos run and the simulated year look for is
 * caught — and named.
 */
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import type { Actor } from '../../domain/commands.js';
import { checkJourney, type JourneyEvidence, type Violation } from '../../domain/invariants.js';
import * as J from '../../domain/journey.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import type { Programme, ProgrammeInput } from '../../domain/programme.js';
import type { JourneyReferral } from '../../domain/referral.js';
import { journeySummary } from '../../domain/views.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2027, 2, 1, 9, 10);
const GRACE = 60_000;

const frailtyInput = builtInProgrammes.find((p) => p.id === 'frailty-virtual-ward')!;
// The same programme with two team leads, so that an escalation can miss one of them.
const twoLeads: ProgrammeInput = {
  ...frailtyInput,
  teams: frailtyInput.teams.map((t) => ({ ...t, leads: [...t.leads, 'lead-sue'] })),
};
const frailty: Programme = parseProgrammes({ programmes: [twoLeads] }, 'test')[0]!;
const coordinator: Actor = { sub: 'coord-ana', role: 'coordinator' };

const referral = (at: number): JourneyReferral => ({
  referralId: 'r1',
  receivedAt: new Date(at).toISOString(),
  source: 'hospital',
  reason: 'Falls and two admissions this year',
  urgency: 'routine',
  age: 90,
  teamId: 'south-devon-1',
  conditions: ['falls', 'heart failure', 'copd'],
  livesAlone: true,
  admissionsLast12Months: 2,
  consentGiven: true,
});

interface Built {
  evidence: JourneyEvidence;
  now: number;
}

/**
 * A journey as the workflow would leave it: each rule applied, then its queued effects carried out
 * the way the activities do (one inbox record per recipient, the audit trail written, the summary
 * projected), and due ladder steps fired.
 */
function healthyJourney(): Built {
  const s = J.newJourney(
    {
      journeyId: 'frailty-virtual-ward.p0a1b2c3d4e5f6a7b8c9d0e1f.0123456789ab',
      workflowId: 'frailty-virtual-ward.p0a1b2c3d4e5f6a7b8c9d0e1f',
      patientId: 'p0a1b2c3d4e5f6a7b8c9d0e1f',
      programme: frailty,
      teamId: 'south-devon-1',
    },
    T0,
  );
  const inbox: JourneyEvidence['inbox'] = [];
  const audit: JourneyEvidence['audit'] = [];
  const settle = (now: number) => {
    J.fireDueSteps(s, now);
    while (s.outbox.length) {
      const effect = s.outbox.shift()!;
      if (effect.type === 'assign') J.assigned(s, 'coord-ana', now);
      if (effect.type === 'notify')
        for (const recipient of effect.notification.recipients)
          inbox.push({ id: effect.notification.id, kind: effect.notification.kind, recipient });
    }
    audit.push(...s.timeline.filter((e) => e.seq > s.counters.audited).map((e) => ({ ...e })));
    s.counters.audited = s.counters.seq;
  };
  let t = T0;
  J.receiveReferral(s, referral(t), t); // accepted on its score: assessment due in 10 days
  settle(t);
  settle((t += 11.5 * DAY)); // reminder, overdue and the team leads' escalation have gone out
  J.recordAssessment(s, { by: coordinator, summary: 'Holistic assessment with carer', needs: [] }, (t += HOUR));
  settle(t);
  settle((t += 6.5 * DAY)); // the care plan's reminder
  J.agreeCarePlan(
    s,
    {
      by: coordinator,
      goals: [{ id: 'g1', description: 'Stay at home' }],
      actions: [
        { id: 'rails', description: 'Fit grab rails', owner: 'coord-ana', due: new Date(t + 30 * DAY).toISOString() },
      ],
      agreedWithPatient: true,
    },
    (t += HOUR),
  );
  settle(t);
  J.hospitalEvent(s, { controlId: 'adm-1', event: 'A01' }, (t += 3 * DAY));
  settle(t);
  J.hospitalEvent(s, { controlId: 'dis-1', event: 'A03' }, (t += 4 * DAY));
  settle(t);
  settle((t += 2.5 * DAY)); // the post-discharge contact's reminder
  return { evidence: { state: s, audit, summary: journeySummary(s, t), inbox }, now: t };
}

const check = ({ evidence, now }: Built, at = now) => checkJourney(evidence, at, GRACE);
const kinds = (violations: Violation[]) => violations.map((v) => v.invariant);
const ladderIds = (b: Built) => [...new Set(b.evidence.inbox.map((i) => i.id).filter((id) => /\/\d+$/.test(id)))];

describe('checkJourney', () => {
  it('passes the evidence a healthy journey leaves, hospital notices and all', () => {
    const b = healthyJourney();
    expect(b.evidence.audit.filter((e) => e.type === 'deadline.step').length).toBeGreaterThanOrEqual(5);
    expect(b.evidence.inbox.some((i) => i.id.endsWith('/admission#1'))).toBe(true);
    expect(b.evidence.inbox.some((i) => i.recipient === 'lead-sue')).toBe(true);
    expect(check(b)).toEqual([]);
  });

  describe('the audit trail', () => {
    it('catches a missing event', () => {
      const b = healthyJourney();
      const assessed = b.evidence.audit.find((e) => e.type === 'assessment.recorded')!.seq;
      b.evidence.audit = b.evidence.audit.filter((e) => e.seq !== assessed);
      expect(check(b)).toEqual([
        expect.objectContaining({ invariant: 'audit', detail: `audit events missing: ${assessed}` }),
      ]);
    });

    it('catches an event written twice', () => {
      const b = healthyJourney();
      b.evidence.audit.push({ ...b.evidence.audit[2]! });
      expect(check(b)).toEqual([expect.objectContaining({ invariant: 'audit', detail: 'audit events repeated: 3' })]);
    });

    it('catches events the journey never had', () => {
      const b = healthyJourney();
      const last = b.evidence.audit.at(-1)!.seq;
      b.evidence.audit.push({
        ...b.evidence.audit.find((e) => e.type === 'contact.recorded' || e.type === 'hospital.discharged')!,
        seq: last + 1,
      });
      expect(check(b)).toEqual([
        expect.objectContaining({ invariant: 'audit', detail: expect.stringContaining('beyond the journey') }),
      ]);
    });

    it('catches a journey that has not written the tail of its trail', () => {
      const b = healthyJourney();
      b.evidence.state.counters.audited -= 2;
      expect(check(b)).toEqual([
        expect.objectContaining({ invariant: 'audit', detail: expect.stringContaining('audited') }),
      ]);
    });
  });

  describe('notifications', () => {
    it('catches a step delivered twice to the same person', () => {
      const b = healthyJourney();
      const first = b.evidence.inbox.find((i) => i.id.endsWith('/assessment/0'))!;
      b.evidence.inbox.push({ ...first });
      expect(check(b)).toEqual([
        expect.objectContaining({ invariant: 'notified-once', detail: `coord-ana ${first.id} notified 2 times` }),
      ]);
    });

    it('catches a notification for a step the journey never fired', () => {
      const b = healthyJourney();
      const action = b.evidence.state.deadlines.find((d) => d.name === 'action:rails')!;
      expect(action.ladderStep).toBe(0);
      b.evidence.inbox.push({
        id: `${b.evidence.state.journeyId}/${action.id}/0`,
        kind: 'reminder',
        recipient: 'coord-ana',
      });
      expect(check(b)).toEqual([
        expect.objectContaining({
          invariant: 'notified-once',
          detail: 'action:rails step 0: 1 notifications stored, fired 0 times',
        }),
      ]);
    });

    it('catches a fired step that notified nobody', () => {
      const b = healthyJourney();
      const lost = ladderIds(b).find((id) => id.endsWith('/care-plan/0'))!;
      b.evidence.inbox = b.evidence.inbox.filter((i) => i.id !== lost);
      expect(check(b)).toEqual([
        expect.objectContaining({
          invariant: 'notified-once',
          detail: 'care-plan step 0: fired 1 times, 0 notifications stored',
        }),
      ]);
    });

    it('catches a step that fired twice under one id (a repeated step, not a retried delivery)', () => {
      const b = healthyJourney();
      const step = b.evidence.audit.find((e) => e.type === 'deadline.step')!;
      const last = b.evidence.audit.at(-1)!.seq;
      b.evidence.audit.push({ ...step, seq: last + 1 });
      b.evidence.state.counters.seq = b.evidence.state.counters.audited = last + 1;
      expect(kinds(check(b))).toEqual(['notified-once']);
    });

    it('catches an escalation that reached only one of the two team leads', () => {
      const b = healthyJourney();
      const escalation = b.evidence.inbox.find((i) => i.recipient === 'lead-sue')!;
      b.evidence.inbox = b.evidence.inbox.filter((i) => i !== escalation);
      expect(check(b)).toEqual([
        expect.objectContaining({
          invariant: 'notified-once',
          detail: `${escalation.id} (to the team-lead) reached lead-raj`,
        }),
      ]);
    });

    it("catches a co-ordinator's reminder that went to someone else", () => {
      const b = healthyJourney();
      const reminder = b.evidence.inbox.find((i) => i.id.endsWith('/assessment/0'))!;
      reminder.recipient = 'mgr-kim';
      expect(check(b)).toEqual([
        expect.objectContaining({
          invariant: 'notified-once',
          detail: `${reminder.id} (to the coordinator) reached mgr-kim`,
        }),
      ]);
    });
  });

  describe('the read model', () => {
    it('catches a summary older than the journey', () => {
      const b = healthyJourney();
      const s = b.evidence.state;
      J.hospitalEvent(s, { controlId: 'adm-2', event: 'A01' }, b.now);
      s.outbox = [];
      s.counters.audited = s.counters.seq; // only the projection is behind
      const [violation, ...more] = check(b).filter((v) => v.invariant !== 'notified-once' && v.invariant !== 'audit');
      expect(more).toEqual([]);
      expect(violation).toMatchObject({
        invariant: 'read-model',
        detail: expect.stringMatching(/phase \(stored "active", journey "in-hospital"\).*revision/),
      });
    });

    it('catches a journey with no summary at all', () => {
      const b = healthyJourney();
      b.evidence.summary = undefined;
      expect(check(b)).toEqual([
        expect.objectContaining({ invariant: 'read-model', detail: 'no summary in the read model' }),
      ]);
    });

    it('ignores whether the summary says overdue, which depends on when it is read', () => {
      const b = healthyJourney();
      b.evidence.summary = { ...b.evidence.summary!, overdue: !b.evidence.summary!.overdue };
      expect(check(b)).toEqual([]);
    });
  });

  describe('escalation', () => {
    const nextStep = (b: Built) => {
      const d = b.evidence.state.deadlines.find((x) => x.name === 'post-discharge-contact')!;
      return { d, at: Date.parse(d.dueAt) }; // its overdue step, at the due time
    };

    it('catches a ladder step that fell due and never fired', () => {
      const b = healthyJourney();
      const { d, at } = nextStep(b);
      expect(check(b, at + 2 * HOUR)).toEqual([
        expect.objectContaining({
          invariant: 'escalated',
          detail: `post-discharge-contact (${d.id}) step 1 (overdue to coordinator) due ${new Date(at).toISOString()} not fired`,
        }),
      ]);
    });

    it('allows a grace period for a step that is firing now', () => {
      const b = healthyJourney();
      expect(check(b, nextStep(b).at + GRACE / 2)).toEqual([]);
    });

    it('does not expect steps of a deadline that is met, or paused while the person is in hospital', () => {
      const met = healthyJourney();
      J.recordContact(met.evidence.state, { by: coordinator, kind: 'post-discharge', channel: 'phone' }, met.now);
      expect(kinds(check(met, nextStep(met).at + 2 * HOUR))).not.toContain('escalated');

      const paused = healthyJourney();
      J.hospitalEvent(paused.evidence.state, { controlId: 'adm-2', event: 'A01' }, paused.now);
      expect(kinds(check(paused, paused.now + 60 * DAY))).not.toContain('escalated');
    });
  });
});
