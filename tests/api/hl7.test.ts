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
  });
});
