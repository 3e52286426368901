/**
 * Financial-year quarters as commissioners report them, bounded at London midnight.
 */
import { describe, expect, it } from 'vitest';
import { lastCompleteQuarter, quarterContaining, reportingQuarter } from '../../domain/reportingQuarter.js';

describe('reporting quarters', () => {
  it('run April to March, each from London midnight (BST in summer, GMT in winter)', () => {
    expect(reportingQuarter('2026-27-Q1')).toEqual({
      id: '2026-27-Q1',
      label: 'Q1 2026/27',
      months: 'April to June 2026',
      from: new Date('2026-03-31T23:00:00Z'),
      to: new Date('2026-06-30T23:00:00Z'),
    });
    expect(reportingQuarter('2026-27-Q3')).toMatchObject({
      months: 'October to December 2026',
      from: new Date('2026-09-30T23:00:00Z'),
      to: new Date('2027-01-01T00:00:00Z'),
    });
    expect(reportingQuarter('2026-27-Q4')).toMatchObject({
      months: 'January to March 2027',
      from: new Date('2027-01-01T00:00:00Z'),
      to: new Date('2027-03-31T23:00:00Z'),
    });
    expect(reportingQuarter('2099-00-Q2')).toMatchObject({ label: 'Q2 2099/00', months: 'July to September 2099' });
  });

  it('name no quarter for anything else', () => {
    for (const id of ['2026-Q1', '2026-28-Q1', '2026-27-Q5', '2026-27-q1', '1999-00-Q1', ' 2026-27-Q1'])
      expect(reportingQuarter(id)).toBeUndefined();
  });

  it('place an instant by London time, and the last complete one before it', () => {
    // 00:30 BST on 1 July is Q2, though it is still 30 June in UTC.
    expect(quarterContaining(new Date('2026-06-30T23:30:00Z')).id).toBe('2026-27-Q2');
    expect(quarterContaining(new Date('2026-06-30T22:59:59Z')).id).toBe('2026-27-Q1');
    expect(quarterContaining(new Date('2027-02-14T12:00:00Z')).id).toBe('2026-27-Q4');
    expect(lastCompleteQuarter(new Date('2026-12-08T01:00:00Z')).id).toBe('2026-27-Q2');
    expect(lastCompleteQuarter(new Date('2026-04-01T09:00:00+01:00')).id).toBe('2025-26-Q4');
  });
});
