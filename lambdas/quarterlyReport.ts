/**
 * The quarterly report for commissioners, as a PDF: a programme's figures for one financial-year
 * quarter, each with its denominator, and charts of the ones a commissioner compares across
 * quarters. It is for people outside the team, so it is built from figures with small numbers
 * already hidden ("<5"); a chart never draws a bar for a hidden count.
 *
 * Drawn with PDFKit (a maintained, pure-JavaScript PDF library; no browser or native code, so it
 * runs in the API's Lambda). It is a tagged PDF: headings, paragraphs, tables and figures are
 * marked as such, each chart has a text alternative, and the language and title are set, so a
 * screen reader reads it in order. Its font, Noto Sans (SIL Open Font Licence), is embedded, so it
 * prints the same everywhere and covers every name's accents.
 */
import PDFDocument from 'pdfkit';
import type { Metrics, Shown } from '../domain/metrics.js';
import type { ReportingQuarter } from '../domain/reportingQuarter.js';
import { reportFonts } from './reportFonts.js';

export interface QuarterlyReportInput {
  programme: { id: string; name: string };
  teams: { id: string; name: string }[];
  quarter: ReportingQuarter;
  /** The quarter's figures, with small numbers hidden. */
  metrics: Shown<Metrics>;
  smallNumbersBelow: number;
  generatedAt: Date;
}

type Count = number | string;

/** NHS identity colours: blue for what is measured, grey for what it is measured against. */
const BLUE = '#005eb8';
const GREY = '#aeb7bd';
const TEXT = '#212b32';

const MARGIN = 56;
const hidden = (n: Count): n is string => typeof n === 'string';
/** "35 of 41 (85%)"; "none this quarter" when nothing was due; the share hidden with a hidden count. */
const share = (part: Count, whole: Count, rate: number | null) =>
  whole === 0
    ? 'none this quarter'
    : `${part} of ${whole} (${rate === null ? 'share not shown' : `${Math.round(rate * 100)}%`})`;

/** How referral sources and closure reasons read in prose. */
const WORDS: Record<string, string> = {
  gp: 'GP',
  hospital: 'Hospital',
  'social-care': 'Social care',
  community: 'Community services',
  voluntary: 'Voluntary sector',
  probation: 'Probation',
  self: 'Self-referral',
  other: 'Other',
  ineligible: 'Not eligible',
  declined: 'Declined by the person',
  'goals-met': 'Goals met',
  'moved-away': 'Moved away',
  deceased: 'Died',
  transferred: 'Transferred to another service',
  withdrawn: 'Referral withdrawn',
};
const words = (code: string) => WORDS[code] ?? code;

/** The report as PDF bytes. */
export async function quarterlyReportPdf(input: QuarterlyReportInput): Promise<Buffer> {
  const { regular, bold } = reportFonts();
  const title = `${input.programme.name}: quarterly report, ${input.quarter.label}`;
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    pdfVersion: '1.7',
    tagged: true,
    lang: 'en-GB',
    displayTitle: true,
    // The embedded font from the first line, never PDFKit's built-in Helvetica (lambdas/reportFonts.ts).
    font: regular as unknown as string,
    info: {
      Title: title,
      Author: 'carepath',
      Subject: `Care co-ordination outcomes and process, ${input.quarter.months}`,
      CreationDate: input.generatedAt,
    },
  });
  doc.registerFont('body', regular);
  doc.registerFont('bold', bold);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const root = doc.struct('Document');
  doc.addStructure(root);
  const width = doc.page.width - 2 * MARGIN;

  const heading = (level: 'H1' | 'H2', text: string) => {
    if (level === 'H2' && doc.y > doc.page.height - 200) doc.addPage();
    root.add(
      doc.struct(level, {}, () => {
        doc
          .font('bold')
          .fontSize(level === 'H1' ? 18 : 13)
          .fillColor(TEXT)
          .text(text, MARGIN, undefined, { width });
      }),
    );
    doc.moveDown(0.4);
  };
  const paragraph = (text: string, size = 10) => {
    root.add(
      doc.struct(
        'P',
        {},
        () => void doc.font('body').fontSize(size).fillColor(TEXT).text(text, MARGIN, undefined, { width }),
      ),
    );
    doc.moveDown(0.5);
  };

  /** A two-column table: what is counted, and the figure with its denominator. */
  const table = (rows: [string, string][]) => {
    const t = doc.struct('Table');
    root.add(t);
    const header = doc.struct('TR');
    t.add(header);
    const cellWidth = [width * 0.62, width * 0.38];
    const row = (cells: [string, string], kind: 'TH' | 'TD') => {
      const y = doc.y;
      if (y > doc.page.height - MARGIN - 20) doc.addPage();
      const top = doc.y;
      const tr = kind === 'TH' ? header : doc.struct('TR');
      if (kind === 'TD') t.add(tr);
      let bottom = top;
      cells.forEach((cell, i) => {
        tr.add(
          doc.struct(kind, {}, () => {
            doc
              .font(kind === 'TH' ? 'bold' : 'body')
              .fontSize(10)
              .fillColor(TEXT)
              .text(cell, MARGIN + (i === 0 ? 0 : cellWidth[0]!), top, { width: cellWidth[i]! - 8 });
            bottom = Math.max(bottom, doc.y);
          }),
        );
      });
      tr.end();
      doc
        .moveTo(MARGIN, bottom + 3)
        .lineTo(MARGIN + width, bottom + 3)
        .lineWidth(0.5)
        .strokeColor(GREY)
        .stroke();
      doc.y = bottom + 6;
    };
    row(['Measure', 'This quarter'], 'TH');
    for (const r of rows) row(r, 'TD');
    t.end();
    doc.x = MARGIN;
    doc.moveDown(0.6);
  };

  /**
   * A horizontal bar chart: one bar per row, its length the value against `max`, with the figure
   * written beside it. A hidden count draws no bar and says why.
   */
  const barChart = (caption: string, bars: { label: string; value: number | null; shown: string }[], max: number) => {
    const barHeight = 16;
    const gap = 8;
    const labelWidth = width * 0.3;
    const plot = width * 0.45;
    const height = bars.length * (barHeight + gap) + 24;
    if (doc.y + height > doc.page.height - MARGIN) doc.addPage();
    const top = doc.y;
    const alt = `${caption}: ${bars.map((b) => `${b.label} ${b.shown}`).join('; ')}.`;
    root.add(
      doc.struct('Figure', { alt }, () => {
        doc.font('bold').fontSize(10).fillColor(TEXT).text(caption, MARGIN, top, { width });
        bars.forEach((bar, i) => {
          const y = top + 18 + i * (barHeight + gap);
          doc
            .font('body')
            .fontSize(9)
            .fillColor(TEXT)
            .text(bar.label, MARGIN, y + 3, { width: labelWidth - 6 });
          doc
            .rect(MARGIN + labelWidth, y, plot, barHeight)
            .fillColor('#f0f4f5')
            .fill();
          if (bar.value !== null && max > 0)
            doc
              .rect(MARGIN + labelWidth, y, Math.max(1, (plot * Math.min(bar.value, max)) / max), barHeight)
              .fillColor(BLUE)
              .fill();
          doc
            .font('body')
            .fontSize(9)
            .fillColor(TEXT)
            .text(bar.shown, MARGIN + labelWidth + plot + 6, y + 3, { width: width - labelWidth - plot - 6 });
        });
      }),
    );
    doc.x = MARGIN;
    doc.y = top + height;
    doc.moveDown(0.5);
  };

  /**
   * Change from baseline with its 95% interval, one row per follow-up point: a dot at the mean and
   * a line across the interval, against a line at no change. A point whose figures are hidden, or
   * with too few people for an interval, draws nothing and says why.
   */
  const intervalChart = (
    caption: string,
    rows: { label: string; mean: number | null; ci: [number, number] | null; shown: string }[],
  ) => {
    const drawn = rows.filter((r) => r.mean !== null && r.ci !== null);
    const lo = Math.min(0, ...drawn.map((r) => r.ci![0]));
    const hi = Math.max(0, ...drawn.map((r) => r.ci![1]));
    const span = hi - lo || 1;
    const rowHeight = 22;
    const labelWidth = width * 0.3;
    const plot = width * 0.4;
    const height = rows.length * rowHeight + 40;
    if (doc.y + height > doc.page.height - MARGIN) doc.addPage();
    const top = doc.y;
    const x = (v: number) => MARGIN + labelWidth + ((v - lo) / span) * plot;
    const alt = `${caption}: ${rows.map((r) => `${r.label}, ${r.shown}`).join('; ')}.`;
    root.add(
      doc.struct('Figure', { alt }, () => {
        doc.font('bold').fontSize(10).fillColor(TEXT).text(caption, MARGIN, top, { width });
        const plotTop = top + 18;
        doc
          .moveTo(x(0), plotTop)
          .lineTo(x(0), plotTop + rows.length * rowHeight)
          .lineWidth(0.75)
          .strokeColor(GREY)
          .stroke();
        rows.forEach((row, i) => {
          const y = plotTop + i * rowHeight + rowHeight / 2;
          doc
            .font('body')
            .fontSize(9)
            .fillColor(TEXT)
            .text(row.label, MARGIN, y - 5, { width: labelWidth - 6 });
          if (row.mean !== null && row.ci !== null) {
            doc.moveTo(x(row.ci[0]), y).lineTo(x(row.ci[1]), y).lineWidth(2).strokeColor(BLUE).stroke();
            doc.circle(x(row.mean), y, 4).fillColor(BLUE).fill();
          }
          doc
            .font('body')
            .fontSize(8)
            .fillColor(TEXT)
            .text(row.shown, MARGIN + labelWidth + plot + 8, y - 5, { width: width - labelWidth - plot - 8 });
        });
        const axisY = plotTop + rows.length * rowHeight + 2;
        doc.font('body').fontSize(8).fillColor(TEXT);
        // The ends of the axis and no change; an end at zero is labelled once.
        for (const v of new Set([lo, 0, hi]))
          doc.text(String(Math.round(v * 10) / 10), x(v) - 10, axisY, { width: 30 });
      }),
    );
    doc.x = MARGIN;
    doc.y = top + height;
    doc.moveDown(0.5);
  };

  const m = input.metrics;
  const teamNames = input.teams.map((t) => t.name).join(', ');

  heading('H1', title);
  paragraph(
    `${input.quarter.months}. Teams: ${teamNames || 'none'}. Produced by carepath on ${input.generatedAt.toISOString().slice(0, 10)} from the service's audit trail: each figure is what the record says happened.`,
  );
  paragraph(
    `Counts from 1 to ${input.smallNumbersBelow - 1} are shown as "<${input.smallNumbersBelow}", and a rate worked out from such a count is not shown, so that no figure can point at a person.`,
    9,
  );

  heading('H2', 'Referrals and waits');
  table([
    ['Referrals received', String(m.referrals.total)],
    ...Object.entries(m.referrals.bySource)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([source, n]): [string, string] => [`  from ${words(source)}`, String(n)]),
    [
      'Days from referral to holistic assessment (median; 90th percentile)',
      m.referralToAssessmentDays.median === null
        ? `not shown (${m.referralToAssessmentDays.count} assessed)`
        : `${m.referralToAssessmentDays.median}; ${m.referralToAssessmentDays.p90} (${m.referralToAssessmentDays.count} assessed)`,
    ],
  ]);

  const sources = Object.entries(m.referrals.bySource).sort(([a], [b]) => a.localeCompare(b));
  const counts = sources.map(([, n]) => (hidden(n) ? 0 : n));
  barChart(
    'Referrals by source',
    sources.map(([source, n]) => ({
      label: words(source),
      value: hidden(n) ? null : n,
      shown: hidden(n) ? `${n} (not drawn)` : String(n),
    })),
    Math.max(1, ...counts),
  );

  heading('H2', 'Deadlines met on time');
  const onTime = [
    ['Holistic assessment', m.onTime.assessment],
    ['Care plan agreed', m.onTime['care-plan']],
    ['Reviews', m.onTime.review],
  ] as const;
  const contact = m.postDischargeContact;
  table([
    ...onTime.map(([label, o]): [string, string] => [
      `${label}: on time, of those done`,
      share(o.onTime, o.met, o.rate),
    ]),
    [
      'Contact after a hospital discharge, within the programme’s window',
      share(contact.contactedInWindow, contact.discharges, contact.rate),
    ],
  ]);
  barChart(
    'Share met on time',
    [
      ...onTime.map(([label, o]) => ({
        label,
        value: o.rate,
        shown: share(o.onTime, o.met, o.rate),
      })),
      {
        label: 'Contact after discharge',
        value: contact.rate,
        shown: share(contact.contactedInWindow, contact.discharges, contact.rate),
      },
    ],
    1,
  );

  heading('H2', 'Hospital');
  table([
    ['Admissions', String(m.readmissions.admissions)],
    ['  of which readmissions within the programme’s window', String(m.readmissions.within30Days)],
    ['Deaths in hospital', String(m.hospital.deaths)],
    ['Transfers to another hospital', String(m.hospital.transfers)],
  ]);

  heading('H2', 'Escalations');
  table([
    ['Overdue work escalated to the co-ordinator', String(m.escalationsByLevel['0'])],
    ['… to the team lead', String(m.escalationsByLevel['1'])],
    ['… to the service manager', String(m.escalationsByLevel['2'])],
  ]);

  heading('H2', 'Closures and place of death');
  const place = m.closures.placeOfDeathAchieved;
  table([
    ['Journeys closed', String(m.closures.total)],
    ...Object.entries(m.closures.byReason)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([reason, n]): [string, string] => [`  ${words(reason)}`, String(n)]),
    [
      'Died in their preferred place, of deaths where a preferred place was recorded',
      hidden(place.yes) || hidden(place.no)
        ? `${place.yes} yes, ${place.no} no`
        : share(
            place.yes,
            place.yes + place.no,
            place.yes + place.no === 0 ? null : place.yes / (place.yes + place.no),
          ),
    ],
  ]);
  heading('H2', 'Outcomes: change from baseline');
  paragraph(
    'For each measure, the change from each person’s baseline to the point named, of the people expected to be measured there: those whose point came this quarter while their journey was open (at closure: those whose journey closed this quarter, other than by death). A reliable change is one larger than the instrument’s published reliable change. Measures entered in error are left out.',
    9,
  );
  if (m.outcomes.length === 0) paragraph('The programme takes no outcome measures, or none was due this quarter.');
  // To one decimal place: a commissioner compares changes of points, not thousandths.
  const signed = (n: number | null) => {
    if (n === null) return '';
    const r = Math.round(n * 10) / 10;
    return r > 0 ? `+${r}` : String(r);
  };
  for (const o of m.outcomes.filter((f) => f.points.some((p) => p.of !== 0))) {
    const direction = o.higherIs === 'worse' ? 'lower is better' : 'higher is better';
    // A point no one was expected at this quarter says nothing; one with people hidden still shows.
    const rows = o.points
      .filter((p) => p.of !== 0)
      .map((p) => {
        const people = `${p.measured} of ${p.of} people`;
        const change =
          p.meanChange === null
            ? 'change not shown'
            : `change ${signed(p.meanChange)}${p.ci95 ? ` (95% CI ${signed(p.ci95[0])} to ${signed(p.ci95[1])})` : ''}`;
        const reliable = p.reliable
          ? `; reliable improvement ${p.reliable.improved}, deterioration ${p.reliable.deteriorated}`
          : '';
        return { p, people, change, reliable };
      });
    table(
      rows.map(({ p, people, change, reliable }): [string, string] => [
        `${o.name} ${o.label}, ${p.point} (${direction})`,
        `${people}; ${change}${reliable}`,
      ]),
    );
    intervalChart(
      `${o.name} ${o.label}: mean change from baseline, 95% CI (${direction})`,
      rows.map(({ p, people, change }) => ({
        label: p.point,
        mean: p.meanChange,
        ci: p.ci95,
        shown: `${change}; ${people}`,
      })),
    );
  }

  heading('H2', 'Emergency admissions before and after referral');
  const adm = m.admissionsBeforeAfter;
  table([
    ['People whose six months after referral ended this quarter', String(adm.of)],
    ['  of whom the referrer gave their admissions in the six months before', String(adm.measured)],
    [
      'Emergency admissions in the six months before referral (mean per person)',
      `${adm.before}${adm.meanBefore === null ? '' : ` (${adm.meanBefore})`}`,
    ],
    [
      'Emergency admissions in the six months after (mean per person)',
      `${adm.after}${adm.meanAfter === null ? '' : ` (${adm.meanAfter})`}`,
    ],
  ]);

  heading('H2', 'Caseload days');
  const teamDays = input.teams.map((t) => {
    const rows = m.caseloadDays.filter((c) => c.teamId === t.id);
    const days = rows.map((c) => c.days);
    return [
      t.name,
      days.every((d): d is number => typeof d === 'number')
        ? `${days.reduce((a, b) => a + b, 0)} days on co-ordinators’ caseloads`
        : 'not shown (small numbers)',
    ] as [string, string];
  });
  table(teamDays);

  root.end();
  doc.end();
  return done;
}
