/**
 * Hospital messages entered in error and cancelled (A11 cancel admit, A13 cancel discharge) must
 * not count in the evaluation metrics: the simulated year found cancelled admissions counted.
 */
import { describe, expect, it } from 'vitest';
import { computeMetrics, type AuditEvent } from '../../domain/metrics.js';

const period = { from: new Date('2027-01-01T00:00:00Z'), to: new Date('2028-01-01T00:00:00Z') };
let seq = 0;
const event = (journeyId: string, day: number, type: string, data: AuditEvent['data']): AuditEvent => ({
  journeyId,
  programmeId: 'frailty-virtual-ward',
  teamId: 'south-devon-1',
  seq: ++seq,
  at: new Date(Date.UTC(2027, 0, day, 9)).toISOString(),
  type,
  data,
});

describe('hospital events cancelled as entered in error', () => {
  it('are no admission, readmission or discharge', () => {
    const events = [
      event('j1', 2, 'hospital.admitted', { stayNo: 1, readmission: false }),
      event('j1', 5, 'hospital.discharged', { stayNo: 1, readmission: false }),
      event('j1', 10, 'hospital.admitted', { stayNo: 2, readmission: true }),
      event('j1', 10, 'hospital.admission-cancelled', { stayNo: 2 }), // never admitted
      event('j1', 20, 'hospital.admitted', { stayNo: 3, readmission: true }),
      event('j1', 24, 'hospital.discharged', { stayNo: 3, readmission: true }),
      event('j1', 24, 'hospital.discharge-cancelled', { stayNo: 3 }), // still on the ward
      event('j1', 27, 'hospital.discharged', { stayNo: 3, readmission: true }),
      event('j2', 3, 'hospital.admitted', { stayNo: 1, readmission: false }),
      event('j2', 6, 'hospital.discharged', { stayNo: 1, readmission: false }),
      event('j2', 6, 'hospital.discharge-cancelled', { stayNo: 1 }),
    ];
    const m = computeMetrics(events, period);
    expect(m.readmissions).toEqual({ admissions: 3, within30Days: 1 });
    expect(m.postDischargeContact.discharges).toBe(2);
  });
});
