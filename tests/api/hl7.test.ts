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

describe('hospital semantics from PV1 (HAZ-04)', () => {
  /** A real-shaped v2.4 message from Torbay (RA9), with PV1-2, PV1-4 and PV1-36/37 as given. */
  const adt = (
    event: string,
    f: { cls?: string; type?: string; method?: string; destination?: string; facility?: string },
  ) => {
    const pv1 = ['PV1', '1', f.cls ?? 'I', 'WARD4^BED2^TOR', f.type ?? ''];
    while (pv1.length <= 45) pv1.push('');
    pv1[36] = f.method ?? '';
    pv1[37] = f.destination ?? '';
    return [
      `MSH|^~\\&|PAS|${f.facility ?? 'RA9'}^Torbay^L|CAREPATH|ICS|20261014093000||ADT^${event}^ADT_A01|M-${event}|P|2.4`,
      `EVN|${event}|20261014093000`,
      'PID|1||9434765919^^^NHS^NH||Crane^Edith||19380502|F',
      pv1.join('|'),
    ].join('\r');
  };
  const read = (m: string, feeds?: Parameters<typeof parseAdt>[1]) => {
    const r = parseAdt(m, feeds);
    if (!r.ok) throw new Error(r.reason);
    return r.adt;
  };

  it('reads the patient class: inpatient, day case and outpatient by HL7 table 0004 and the NHS classification', () => {
    expect(read(adt('A01', { cls: 'I' })).patientClass).toBe('inpatient');
    expect(read(adt('A01', { cls: 'E' })).patientClass).toBe('inpatient');
    expect(read(adt('A01', { cls: 'D' })).patientClass).toBe('day-case');
    expect(read(adt('A01', { cls: '2' })).patientClass).toBe('day-case'); // NHS: day case admission
    expect(read(adt('A01', { cls: 'O' })).patientClass).toBe('outpatient');
    expect(read(adt('A01', { cls: 'ZZ' })).patientClass).toBeUndefined(); // unknown: treated as inpatient
  });

  it('reads the admission: planned by table 0007 or NHS method 11–13, emergency by 21–2D', () => {
    expect(read(adt('A01', { type: 'C' })).admission).toBe('planned');
    expect(read(adt('A01', { type: '11' })).admission).toBe('planned');
    expect(read(adt('A01', { type: '21' })).admission).toBe('emergency');
    expect(read(adt('A01', { type: 'E' })).admission).toBe('emergency');
    expect(read(adt('A01', { type: '31' })).admission).toBe('maternity');
  });

  it('reads a discharge to another hospital as a transfer, and home as neither', () => {
    expect(read(adt('A03', { destination: '51' }))).toMatchObject({ transfer: true }); // NHS other hospital provider
    expect(read(adt('A03', { destination: '87' }))).toMatchObject({ transfer: true }); // non-NHS hospital
    expect(read(adt('A03', { method: '02' }))).toMatchObject({ transfer: true }); // table 0112: short-term hospital
    const home = read(adt('A03', { method: '1', destination: '19' }));
    expect(home.transfer).toBeUndefined();
    expect(home.died).toBeUndefined();
    // A death wins over a destination that says otherwise.
    expect(read(adt('A03', { method: '4', destination: '51' }))).toMatchObject({ died: true });
  });

  it('acknowledges and ignores a pre-admission: A05, or patient class P', () => {
    for (const m of [adt('A05', {}), adt('A01', { cls: 'P' })]) {
      const r = parseAdt(m);
      expect(r).toMatchObject({
        ok: false,
        ignored: true,
        code: 'AA',
        controlId: expect.any(String),
        sendingFacility: 'RA9',
      });
    }
  });

  it('reads a facility’s own codes over the defaults, and only for that facility', () => {
    const feeds = {
      senders: [{ client: 'tie-1', facilities: ['RA9', 'RBZ'] }],
      codeTables: {
        RA9: {
          patientClass: { DC: 'day-case' as const, I: 'outpatient' as const },
          dischargedTo: { T1: 'transfer' as const },
        },
      },
    };
    expect(read(adt('A01', { cls: 'DC' }), feeds).patientClass).toBe('day-case');
    expect(read(adt('A01', { cls: 'I' }), feeds).patientClass).toBe('outpatient'); // a local code wins
    expect(read(adt('A03', { destination: 'T1' }), feeds).transfer).toBe(true);
    expect(read(adt('A01', { cls: 'DC', facility: 'RBZ' }), feeds).patientClass).toBeUndefined();
    expect(read(adt('A01', { cls: 'I', facility: 'RBZ' }), feeds).patientClass).toBe('inpatient');
  });
});
