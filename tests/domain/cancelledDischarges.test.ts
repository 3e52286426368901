/**
 * A discharge sent, cancelled (A13) and sent again — as PAS systems do when a discharge is keyed
 * against the wrong day — gives each discharge its own follow-up deadline and notice: nothing is
 * notified twice under one id, and the live follow-up is the one a later A13 cancels.
 */
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import * as J from '../../domain/journey.js';
import { parseProgrammes } from '../../config/programmeFiles.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2027, 4, 3, 9, 10);
const frailty = parseProgrammes(
  { programmes: builtInProgrammes.filter((p) => p.id === 'frailty-virtual-ward') },
  'test',
)[0]!;

describe('discharges after a cancelled discharge', () => {
  it('open a new follow-up with a new id each time, and a second A13 cancels the live one', () => {
    const s = J.newJourney(
      {
        journeyId: 'frailty-virtual-ward.pabc.0123456789ab',
        workflowId: 'frailty-virtual-ward.pabc',
        patientId: 'pabc',
        programme: frailty,
        teamId: 'south-devon-1',
      },
      T0,
    );
    J.receiveReferral(
      s,
      {
        referralId: 'r1',
        receivedAt: new Date(T0).toISOString(),
        source: 'gp',
        reason: 'falls',
        urgency: 'routine',
        age: 88,
        teamId: 'south-devon-1',
        conditions: ['falls', 'copd', 'heart failure'],
        livesAlone: true,
        admissionsLast12Months: 2,
        consentGiven: true,
      },
      T0,
    );
    J.assigned(s, 'coord-ana', T0);
    let t = T0;
    const event = (controlId: string, kind: 'A01' | 'A03' | 'A13') =>
      J.hospitalEvent(s, { controlId, event: kind }, (t += 2 * HOUR));
    event('1', 'A01');
    event('2', 'A03');
    event('3', 'A13');
    event('4', 'A03');
    event('5', 'A13');
    event('6', 'A03');

    const followUps = s.deadlines.filter((d) => d.name === 'post-discharge-contact');
    expect(followUps.map((d) => [d.id, d.status])).toEqual([
      ['post-discharge-contact#1', 'cancelled'],
      ['post-discharge-contact#1.2', 'cancelled'],
      ['post-discharge-contact#1.3', 'open'],
    ]);
    const notices = s.outbox.flatMap((e) =>
      e.type === 'notify' && e.notification.kind === 'notice' ? [e.notification.id] : [],
    );
    expect(new Set(notices).size).toBe(notices.length);
    expect(notices.filter((id) => id.includes('/discharge#'))).toHaveLength(3);
    expect(s.phase).not.toBe('in-hospital');
  });
});
