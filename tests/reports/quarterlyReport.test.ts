/**
 * The quarterly report for commissioners, drawn as a PDF and then read back the way a person
 * would meet it: each page rendered to a PNG by MuPDF (an independent PDF renderer), its text
 * extracted, and its structure inspected. The PNGs are kept (their folder is printed) so a person
 * can look at them; the test checks what a person would look for: the figures with their
 * denominators, small numbers hidden, bars drawn in the charts and none for a hidden count, and a
 * tagged document a screen reader can follow.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mupdf from 'mupdf';
import { describe, expect, it } from 'vitest';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { computeMetrics, withSmallNumbersSuppressed, type AuditEvent } from '../../domain/metrics.js';
import { reportingQuarter } from '../../domain/reportingQuarter.js';
import { quarterlyReportPdf } from '../../lambdas/quarterlyReport.js';

const quarter = reportingQuarter('2026-27-Q2')!;
const DAY = 86_400_000;
const frailty = builtInProgrammes.find((p) => p.id === 'frailty-virtual-ward')!;
const [programme] = parseProgrammes(
  { programmes: [{ ...frailty, id: 'frailty', outcomes: { measures: [{ instrument: 'phq-9', every: 'P84D' }] } }] },
  'test',
);

/**
 * PHQ-9 at 12 weeks: 50 people whose 12-week window closes in the quarter, 41 of them measured,
 * each better by 0 to 8 points (mean change -3.76; 12 reliably improved, by 6 or more).
 */
function measures(): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (let i = 0; i < 50; i++) {
    const journeyId = `frailty.m${i}`;
    const base = { journeyId, programmeId: 'frailty', teamId: 'south-devon-1' };
    const baselineAt = new Date(quarter.from.getTime() - 120 * DAY + i * DAY).toISOString();
    events.push({
      ...base,
      seq: 1,
      at: baselineAt,
      type: 'measure.recorded',
      data: { instrument: 'phq-9', occasion: 'baseline', at: baselineAt, 'score.total': 15 },
    });
    if (i >= 41) continue;
    const laterAt = new Date(Date.parse(baselineAt) + 84 * DAY).toISOString();
    events.push({
      ...base,
      seq: 2,
      at: laterAt,
      type: 'measure.recorded',
      data: {
        instrument: 'phq-9',
        occasion: 'follow-up',
        at: laterAt,
        'score.total': 15 - (i % 9),
        baselineAt,
        baselineSeq: 1,
        'baseline.total': 15,
      },
    });
  }
  return events;
}

/** A quarter's events: 63 referrals, mostly from GPs, assessed and reviewed with some late. */
function quarterOfEvents(): AuditEvent[] {
  const events: AuditEvent[] = [];
  const start = quarter.from.getTime() + DAY;
  for (let i = 0; i < 63; i++) {
    const journeyId = `frailty.j${i}`;
    const at = (days: number) => new Date(start + (i + days) * DAY).toISOString();
    const base = { journeyId, programmeId: 'frailty', teamId: 'south-devon-1' };
    const source = i % 9 === 0 ? 'hospital' : i % 21 === 1 ? 'social-care' : 'gp';
    events.push({ ...base, seq: 1, at: at(0), type: 'referral.received', data: { source } });
    if (i < 41) {
      events.push({ ...base, seq: 2, at: at(3), type: 'assessment.recorded', data: { referredAt: at(0) } });
      events.push({
        ...base,
        seq: 3,
        at: at(3),
        type: 'deadline.met',
        data: { deadline: 'assessment', onTime: i % 7 !== 0 },
      });
    }
    if (i < 20) events.push({ ...base, seq: 4, at: at(10), type: 'hospital.discharged', data: { stayNo: 1 } });
    if (i < 17)
      events.push({
        ...base,
        seq: 5,
        at: at(11),
        type: 'deadline.met',
        data: { deadline: 'post-discharge-contact', onTime: true },
      });
    if (i < 3)
      events.push({
        ...base,
        seq: 6,
        at: at(12),
        type: 'journey.closed',
        data: { reason: 'died', placeOfDeathAchieved: true },
      });
  }
  return events;
}

describe('the quarterly report', () => {
  it('renders to pages a person can read: figures with their denominators, charts, small numbers hidden, tagged for a screen reader', async () => {
    const metrics = withSmallNumbersSuppressed(
      computeMetrics([...quarterOfEvents(), ...measures()], quarter, { programmes: [programme!] }),
      5,
    );
    const pdf = await quarterlyReportPdf({
      programme: { id: 'frailty', name: 'Frailty virtual ward' },
      teams: [{ id: 'south-devon-1', name: 'South Devon 1' }],
      quarter,
      metrics,
      smallNumbersBelow: 5,
      generatedAt: new Date('2026-10-02T09:00:00Z'),
    });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');

    const doc = mupdf.Document.openDocument(pdf, 'application/pdf');
    const pages = doc.countPages();
    expect(pages).toBeGreaterThanOrEqual(1);
    const dir = join(tmpdir(), 'carepath-quarterly-report');
    mkdirSync(dir, { recursive: true });
    let text = '';
    let blue = 0;
    for (let n = 0; n < pages; n++) {
      const page = doc.loadPage(n);
      const pixmap = page.toPixmap(mupdf.Matrix.scale(1.5, 1.5), mupdf.ColorSpace.DeviceRGB, false);
      writeFileSync(join(dir, `page-${n + 1}.png`), pixmap.asPNG());
      // NHS blue (#005eb8): the bars of the charts.
      const px = pixmap.getPixels();
      for (let i = 0; i < px.length; i += 3)
        if (px[i]! < 20 && Math.abs(px[i + 1]! - 94) < 20 && px[i + 2]! > 164) blue++;
      text += page.toStructuredText('preserve-whitespace').asText();
    }
    writeFileSync(join(dir, 'text.txt'), text);
    console.log(`quarterly report: ${pages} page(s) rendered to ${dir}, with the text read back`);

    // The figures, each with its denominator.
    expect(text).toContain('Frailty virtual ward: quarterly report, Q2 2026/27');
    expect(text).toContain('July to September 2026');
    expect(text).toContain('Referrals received');
    expect(text).toContain('63');
    expect(text).toContain('35 of 41 (85%)');
    expect(text).toContain('none this quarter');
    expect(text).toContain('17 of 20 (85%)');
    // Three deaths: fewer than five, so hidden, and the place-of-death share with them.
    expect(text).toContain('<5 yes, 0 no');
    expect(text).not.toContain('3 of 3');
    // Outcomes: who was expected and measured, the change with its interval, reliable change.
    expect(text).toMatch(/PHQ-9 Depression severity \(0–27\), at 12 weeks/);
    expect(text).toMatch(
      /41 of 50 people; change -3\.8 \(95% CI\s+-4\.6 to -2\.9\); reliable improvement\s+12, deterioration 0/,
    );
    // A point no one was expected at says nothing, and is left out.
    expect(text).not.toContain('at 36 weeks');
    // Bars were drawn: four on-time bars and the referral sources shown.
    expect(blue).toBeGreaterThan(5_000);

    // Tagged: a structure tree with headings and figures that carry their text alternative.
    const pdfDoc = doc.asPDF()!;
    const catalog = pdfDoc.getTrailer().get('Root');
    expect(catalog.get('MarkInfo').get('Marked').asBoolean()).toBe(true);
    expect(catalog.get('Lang').asString()).toBe('en-GB');
    const kinds = new Set<string>();
    const alts: string[] = [];
    const walk = (node: mupdf.PDFObject, depth: number) => {
      if (depth > 12 || !node.isDictionary()) return;
      const type = node.get('S');
      if (type.isName()) kinds.add(type.asName());
      if (node.get('Alt').isString()) alts.push(node.get('Alt').asString());
      const kids = node.get('K');
      if (kids.isArray()) for (let i = 0; i < kids.length; i++) walk(kids.get(i), depth + 1);
      else walk(kids, depth + 1);
    };
    walk(catalog.get('StructTreeRoot'), 0);
    expect([...kinds]).toEqual(
      expect.arrayContaining(['Document', 'H1', 'H2', 'P', 'Table', 'TR', 'TH', 'TD', 'Figure']),
    );
    expect(alts).toEqual(
      expect.arrayContaining([expect.stringContaining('Share met on time: Holistic assessment 35 of 41 (85%)')]),
    );
  });
});
