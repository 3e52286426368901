/**
 * GET /reports/quarterly on the real stack: a quarter of audit trail written through the real
 * audit activity, and the PDF the API answers read back by MuPDF. Whoever downloads it (here the
 * team's own lead, who sees raw counts at GET /metrics), small numbers in it are hidden: it is
 * made to be sent on. A quarter named wrongly, one not yet begun, another team's lead and a role
 * that reads no figures are refused as problems.
 */
import * as mupdf from 'mupdf';
import { describe, expect, it } from 'vitest';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import type { TimelineEntry } from '../../domain/journey.js';
import { useApiStack } from '../support/apiStack.js';
import { currentTable } from '../support/dynamoDbLocal.js';

const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'));

describe('the quarterly report through the API', () => {
  it('is a PDF of the quarter asked, its small numbers hidden for everyone; bad requests are problems', async () => {
    const acts = createJourneyActivities({ doc: currentTable().doc, tableName: currentTable().tableName });
    // Q1 2026/27 (April to June 2026): twelve referrals from GPs and three from hospital, and one
    // referral in Q2 that must not count.
    const at = (iso: string) => new Date(iso).toISOString();
    for (let j = 0; j < 16; j++) {
      const source = j < 12 ? 'gp' : 'hospital';
      const when =
        j === 15 ? at('2026-07-01T00:30:00+01:00') : at(`2026-05-${String(j + 1).padStart(2, '0')}T10:00:00Z`);
      const events: TimelineEntry[] = [
        { seq: 1, at: when, type: 'referral.received', by: 'synthetic', detail: 'referral', data: { source } },
      ];
      await acts.appendAudit({
        journeyId: `palliative-care-home.preport${j}.000000000000`,
        programmeId: 'palliative-care-home',
        teamId: 'palliative-west',
        events,
      });
    }
    const { call, token } = api.get();
    const lead = await token('lead-report', 'team-lead', ['palliative-west']);
    const r = await call('GET', '/reports/quarterly?programme=palliative-care-home&quarter=2026-27-Q1', {
      token: lead,
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="palliative-care-home-2026-27-Q1.pdf"');
    const doc = mupdf.Document.openDocument(r.bytes, 'application/pdf');
    let text = '';
    for (let n = 0; n < doc.countPages(); n++) text += doc.loadPage(n).toStructuredText('preserve-whitespace').asText();
    expect(text).toMatch(/quarterly\s+report,\s+Q1\s+2026\/27/);
    expect(text).toContain('April to June 2026');
    expect(text).toMatch(/Referrals received\s+15/);
    expect(text).toMatch(/from GP\s+12/);
    // Three from hospital: fewer than five, so hidden even for the team's own lead.
    expect(text).toMatch(/from Hospital\s+<5/);

    const problem = async (path: string, who: string, status: number) => {
      const answer = await call('GET', path, { token: who });
      expect(answer.status, path).toBe(status);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    };
    await problem('/reports/quarterly?programme=palliative-care-home&quarter=2026-Q1', lead, 400);
    await problem('/reports/quarterly?programme=palliative-care-home&quarter=2099-00-Q1', lead, 400);
    await problem('/reports/quarterly?quarter=2026-27-Q1', lead, 400);
    await problem('/reports/quarterly?programme=no-such&quarter=2026-27-Q1', lead, 404);
    await problem('/reports/quarterly?programme=palliative-care-home&team=cmht-north&quarter=2026-27-Q1', lead, 404);
    const otherLead = await token('lead-other', 'team-lead', ['cmht-north']);
    await problem('/reports/quarterly?programme=palliative-care-home&quarter=2026-27-Q1', otherLead, 403);
    const ops = await token('ops-report', 'ops');
    await problem('/reports/quarterly?programme=palliative-care-home&quarter=2026-27-Q1', ops, 403);
  });
});
