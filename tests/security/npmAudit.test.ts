/**
 * How `npm run audit:prod` (scripts/auditProduction.ts) reads npm's audit report: a clean report
 * passes, any high or critical advisory fails, and an audit that did not run fails rather than
 * passing unaudited dependencies. (The audit itself needs a registry serving npm's advisory
 * endpoint; see the script.)
 */
import { describe, expect, it } from 'vitest';
import { auditProblems } from '../../scripts/auditProduction.js';

describe('npm audit of production dependencies', () => {
  it('reads a report the way npm writes it: clean passes, high or critical fails, no report fails', () => {
    const meta = (high: number, critical: number) => ({
      vulnerabilities: { info: 0, low: 1, moderate: 2, high, critical, total: 3 + high + critical },
      dependencies: { prod: 180 },
    });
    expect(
      auditProblems({ metadata: meta(0, 0), vulnerabilities: { tar: { severity: 'moderate', via: ['x'] } } }),
    ).toEqual([]);
    expect(
      auditProblems({
        metadata: meta(1, 0),
        vulnerabilities: {
          hono: {
            severity: 'high',
            range: '<4.13.0',
            via: [{ title: 'JWT audience bypass', url: 'https://github.com/advisories/GHSA-x' }],
          },
        },
      }),
    ).toEqual(['hono (high, <4.13.0): JWT audience bypass https://github.com/advisories/GHSA-x']);
    expect(auditProblems({ metadata: meta(0, 2) })).toHaveLength(1);
    expect(
      auditProblems({
        message: '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk',
      })[0],
    ).toMatch(/did not run.*405/);
  });
});
