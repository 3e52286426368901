/** HL7 v2 ADT parsing details that hospitals vary on. */
import { describe, expect, it } from 'vitest';
import { hl7Timestamp, parseAdt } from '../../lambdas/hl7.js';

const msg = (event: string, pid3: string) =>
  [
    `MSH|^~\\&|PAS|RBZ^Royal Devon^L|CAREPATH|ICS|20261123093000||ADT^${event}^ADT_A01|C${event}|P|2.3`,
    `EVN|${event}|20261123093000||||20261123091500`,
    `PID|1||${pid3}||Doe^Jane`,
    'PV1|1|I|WARD7^BED3^RDE',
    'ZPD|local^extension',
  ].join('\r\n');

describe('ADT parsing', () => {
  it('finds the NHS number under authority NHS with type NH or HN, among other identifiers', () => {
    for (const type of ['NH', 'HN']) {
      const r = parseAdt(msg('A01', `H123^^^RBZ^MR~943 476 5919^^^NHS^${type}~X9^^^OTHER^PI`));
      expect(r.ok && r.adt.nhsNumber).toBe('9434765919');
    }
    const wrongAuthority = parseAdt(msg('A01', '9434765919^^^RBZ^NH'));
    expect(wrongAuthority.ok).toBe(false);
    const invalid = parseAdt(msg('A01', '9434765918^^^NHS^NH'));
    expect(!invalid.ok && invalid.code).toBe('AE');
  });

  it('reads each supported event, its time and place, and ignores Z-segments', () => {
    for (const event of ['A01', 'A02', 'A03', 'A08', 'A11', 'A13']) {
      const r = parseAdt(msg(event, '9434765919^^^NHS^NH'));
      expect(r.ok, event).toBe(true);
      if (r.ok)
        expect(r.adt).toMatchObject({
          event,
          controlId: `C${event}`,
          sendingFacility: 'RBZ',
          location: 'WARD7 BED3 RDE',
          occurredAt: '2026-11-23T09:15:00.000Z',
        });
    }
  });

  it('converts HL7 timestamps, with or without offset and seconds', () => {
    expect(hl7Timestamp('20261123093000')).toBe('2026-11-23T09:30:00.000Z');
    expect(hl7Timestamp('202611230930+0100')).toBe('2026-11-23T08:30:00.000Z');
    expect(hl7Timestamp('20261123')).toBe('2026-11-23T00:00:00.000Z');
    expect(hl7Timestamp('2026-11-23')).toBeUndefined();
    expect(hl7Timestamp(undefined)).toBeUndefined();
    // Days and hours that do not exist are refused, not rolled over.
    expect(hl7Timestamp('20260631')).toBeUndefined();
    expect(hl7Timestamp('20270229')).toBeUndefined();
    expect(hl7Timestamp('2026112325')).toBeUndefined();
  });

  it('reads times without an offset as UK local time, on both sides of each clock change', () => {
    // Summer: BST, an hour ahead of UTC (the September admission that was stored as 09:30Z).
    expect(hl7Timestamp('20260709093000')).toBe('2026-07-09T08:30:00.000Z');
    expect(hl7Timestamp('20260915093000')).toBe('2026-09-15T08:30:00.000Z');
    // Winter: GMT.
    expect(hl7Timestamp('20261123093000')).toBe('2026-11-23T09:30:00.000Z');
    // 25 October 2026, clocks go back at 02:00 BST: 01:00–01:59 happens twice; the earlier is taken.
    expect(hl7Timestamp('20261025003000')).toBe('2026-10-24T23:30:00.000Z');
    expect(hl7Timestamp('20261025013000')).toBe('2026-10-25T00:30:00.000Z');
    expect(hl7Timestamp('20261025023000')).toBe('2026-10-25T02:30:00.000Z');
    // 29 March 2026, clocks go forward at 01:00 GMT: 01:30 never happens and is read as GMT.
    expect(hl7Timestamp('20260329003000')).toBe('2026-03-29T00:30:00.000Z');
    expect(hl7Timestamp('20260329013000')).toBe('2026-03-29T01:30:00.000Z');
    expect(hl7Timestamp('20260329023000')).toBe('2026-03-29T01:30:00.000Z');
    // An offset, when sent, is what counts.
    expect(hl7Timestamp('20260709093000+0000')).toBe('2026-07-09T09:30:00.000Z');
  });

  it('dates a summer discharge in BST', () => {
    const summer = msg('A03', '9434765919^^^NHS^NH').replace(/20261123091500/, '20260709091500');
    const r = parseAdt(summer);
    expect(r.ok && r.adt.occurredAt).toBe('2026-07-09T08:15:00.000Z');
  });

  it('reads a death in hospital from PID-30, or a discharge method or destination of death', () => {
    /** A real-shaped A03: PID-30 the death indicator, PV1-36 the discharge method, PV1-37 the destination. */
    const discharge = (deathIndicator: string, method: string, destination: string, event = 'A03') => {
      const pid = ['PID', '1', '', '9434765919^^^NHS^NH', '', 'Doe^Jane', '19400101', 'F'];
      while (pid.length <= 30) pid.push('');
      pid[29] = deathIndicator ? '20260709081500' : '';
      pid[30] = deathIndicator;
      const pv1 = ['PV1', '1', 'I', 'WARD7^BED3^RDE'];
      while (pv1.length <= 45) pv1.push('');
      pv1[36] = method;
      pv1[37] = destination;
      pv1[45] = '20260709081500';
      return [
        `MSH|^~\\&|PAS|RBZ^Royal Devon^L|CAREPATH|ICS|20260709093000||ADT^${event}^ADT_A03|D1|P|2.4`,
        `EVN|${event}|20260709093000`,
        pid.join('|'),
        pv1.join('|'),
      ].join('\r');
    };
    const died = (m: string) => {
      const r = parseAdt(m);
      if (!r.ok) throw new Error(r.reason);
      return r.adt.died === true;
    };
    expect(died(discharge('Y', '', ''))).toBe(true); // PID-30
    expect(died(discharge('', '4', ''))).toBe(true); // NHS discharge method 4: patient died
    expect(died(discharge('', '20', ''))).toBe(true); // HL7 table 0112: expired
    expect(died(discharge('', '', '79'))).toBe(true); // NHS destination 79: not applicable, patient died
    // A discharge home on clinical advice, to the usual place of residence, is not a death.
    expect(died(discharge('N', '1', '19'))).toBe(false);
    expect(died(discharge('', '', ''))).toBe(false);
    // Only a discharge can say so: an update carrying the indicator is not read as a death.
    expect(died(discharge('Y', '4', '79', 'A08'))).toBe(false);
    const r = parseAdt(discharge('Y', '4', '79'));
    expect(r.ok && r.adt.occurredAt).toBe('2026-07-09T07:15:00.000Z'); // PV1-45, in BST
  });

  it('takes linear time over a body of segment terminators, however long', () => {
    // `/\r+$/` over 64 KB of carriage returns cost about 9 s of CPU; the body limit is 64 KB.
    const cases: [string, boolean][] = [
      [`${msg('A01', '9434765919^^^NHS^NH')}${'\r'.repeat(65_000)}`, true],
      [`${msg('A01', '9434765919^^^NHS^NH')}${'\r'.repeat(65_000)}x`, true],
      ['\r'.repeat(65_000), false],
      [`${'\r'.repeat(65_000)}x`, false],
    ];
    for (const [body, usable] of cases) {
      const before = process.cpuUsage();
      const r = parseAdt(body);
      const { user, system } = process.cpuUsage(before);
      expect(r.ok).toBe(usable);
      expect((user + system) / 1000).toBeLessThan(100);
    }
  });
});
