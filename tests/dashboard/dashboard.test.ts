/// <reference lib="dom" />
/**
 * The dashboard in headless Chromium (Debian's, driven by playwright-core) against the whole
 * platform as `npm start` runs it: a referral taken through triage, assessment and care plan by
 * the people who do it; an escalation seen and acknowledged by a team lead; the evaluation charts
 * drawn from real data; every control labelled and reachable by keyboard; and the Temporal Web UI
 * decoding a journey's history for operations staff signed in to the dashboard, and nobody else.
 * Screenshots go to tests/artifacts/dashboard/.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import type { ProgrammeInput } from '../../domain/programme.js';
import { platform, type Platform } from '../support/platform.js';

const artifacts = join(import.meta.dirname, '..', 'artifacts', 'dashboard');
const frailty = builtInProgrammes.find((p) => p.id === 'frailty-virtual-ward')!;
// Every referral waits for a person's triage; an urgent one is overdue for assessment in 40 s and
// escalated to the team lead 3 s later, so the ladder is visible within the test.
const quick: ProgrammeInput = {
  ...frailty,
  eligibility: { minAge: 65 },
  deadlines: { ...frailty.deadlines, assessment: { urgent: 'PT40S', routine: 'P10D' } },
  escalation: [
    { at: '-PT20S', notify: 'coordinator', kind: 'reminder' },
    { at: 'PT0S', notify: 'coordinator', kind: 'overdue' },
    { at: 'PT3S', notify: 'team-lead', kind: 'escalation' },
    { at: 'P1D', notify: 'service-manager', kind: 'escalation' },
  ],
  // A PHQ-9 after the assessment, recorded with the keyboard alone below.
  outcomes: { measures: [{ instrument: 'phq-9', baselineWithin: 'P14D', every: 'P84D' }] },
};

const referral = (nhsNumber: string, givenName: string, urgency: 'urgent' | 'routine') => ({
  patient: { nhsNumber, givenName, familyName: 'Testperson', birthDate: '1941-03-02', postcode: 'TQ2 5AA' },
  programme: 'frailty-virtual-ward',
  source: 'gp',
  reason: 'Two falls in a month; struggling at home',
  urgency,
  conditions: ['falls'],
  consent: { given: true, recordedBy: 'Dr Example' },
});

let stack: Platform;
let browser: Browser;
const consoleProblems: string[] = [];

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  // The dev sign-in's GPs gp-1 and gp-2 work at L83040, which shares its referrals among them.
  stack = await platform([quick], { referralsSharedWithin: ['L83040'] });
  await stack.start();
  browser = await chromium.launch({
    executablePath: inject('chromium'),
    // Root in CI needs --no-sandbox; the rest keep Chromium off the (closed) network.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** axe-core, put in every page before its own scripts (an init script is not subject to the page's CSP). */
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** WCAG 2.2 AA, and the levels below it. */
const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const axeChecked: string[] = [];

/** axe-core's WCAG 2.2 AA violations on the page as it stands, each with the elements at fault. */
async function axeViolations(page: Page, name: string): Promise<string[]> {
  axeChecked.push(name);
  return page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<AxeResult> } }).axe;
    type AxeResult = { violations: { id: string; help: string; nodes: { target: string[] }[] }[] };
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, WCAG_AA);
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 960 } });
  await context.addInitScript({ path: axePath });
  const page = await context.newPage();
  // Only the dashboard's own pages: the Temporal UI logs its refused decodes, as it should.
  const ours = () => page.url().startsWith(stack.base);
  page.on('console', (m) => {
    if (ours() && m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      consoleProblems.push(m.text());
  });
  page.on('pageerror', (e) => {
    if (ours()) consoleProblems.push(String(e));
  });
  return page;
}

/** Presses Tab until the focused element is the one wanted: proof it is reachable by keyboard. */
async function tabTo(page: Page, accessibleName: string, limit = 120): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const name = await page.evaluate(() => {
      const el = document.activeElement as HTMLInputElement | null;
      if (!el) return '';
      return el.labels?.[0]?.textContent?.trim() || el.getAttribute('aria-label') || el.textContent?.trim() || '';
    });
    if (name === accessibleName) return;
  }
  throw new Error(`could not reach "${accessibleName}" with the Tab key`);
}

/** Signs in with the keyboard only: Tab to the person picker, choose, Tab to the button, Enter. */
async function signIn(page: Page, person: string): Promise<void> {
  await page.goto(`${stack.base}/#/sign-in`);
  await page.getByLabel('Person').waitFor();
  await tabTo(page, 'Person');
  await page.getByLabel('Person').selectOption(person); // a native select: arrow keys choose, as here
  await tabTo(page, 'Sign in');
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/(team|inbox|my-referrals)/);
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/#\/sign-in/);
}

/** Every form control on the page has a name a screen reader would read. */
async function unlabelledControls(page: Page): Promise<string[]> {
  return page
    .locator('input, select, textarea')
    .evaluateAll((els) =>
      els
        .filter(
          (el) =>
            !(
              (el as HTMLInputElement).labels?.length ||
              el.getAttribute('aria-label') ||
              el.getAttribute('aria-labelledby')
            ),
        )
        .map((el) => el.outerHTML.slice(0, 120)),
    );
}

const shoot = (page: Page, name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
const phase = (page: Page) => page.getByTestId('phase');

/**
 * The API's answer to the next POST the page sends to a path ending so. The page is only asked
 * what it shows once its request has been answered: how long the journey takes to confirm a
 * command depends on the machine, and is not what these tests measure.
 */
async function answerTo(page: Page, pathEnd: string, act: () => Promise<void>): Promise<number> {
  const answered = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith(pathEnd),
    { timeout: 60_000 },
  );
  await act();
  return (await answered).status();
}

describe('dashboard', () => {
  let routineJourney: string;
  let urgentJourney: string;

  it('serves the dashboard with its own security headers', async () => {
    const page = await fetch(`${stack.base}/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const api = await fetch(`${stack.base}/health`);
    expect(api.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('takes a referral through triage, assessment and care plan', async () => {
    const gp = await stack.tokenFor('gp-1', 'referrer');
    const made = await stack.json('/referrals', {
      method: 'POST',
      token: gp,
      body: JSON.stringify(referral('9434765919', 'Ruby', 'routine')),
    });
    expect(made.status).toBe(202);
    routineJourney = made.body.journeyId as string;

    const page = await newPage();
    await signIn(page, 'team-lead:lead-raj');
    // Lists name the person, not the journey's pseudonymous id.
    await expect.poll(() => page.getByRole('link', { name: 'TESTPERSON, Ruby' }).count()).toBe(1);
    expect(await page.getByText(`…${routineJourney.slice(-12)}`).count()).toBe(0);
    expect(await axeViolations(page, 'team')).toEqual([]);
    await shoot(page, '01-team-view');
    await page.getByRole('link', { name: 'TESTPERSON, Ruby' }).click();
    await expect.poll(() => phase(page).textContent()).toBe('Triage');
    // The patient banner, from the patient record: name, date of birth and age, NHS number 3-3-4.
    const banner = page.getByRole('region', { name: 'Patient banner' });
    await expect(banner.getByText('TESTPERSON, Ruby').count()).resolves.toBe(1);
    await expect(banner.getByText(/^02-Mar-1941 \(\d+y\)$/).count()).resolves.toBe(1);
    await expect(banner.getByTestId('banner-nhs-number').textContent()).resolves.toBe('943 476 5919');
    expect(await axeViolations(page, 'journey')).toEqual([]);

    // The API's own error, shown where the lead is looking: a decision with no reason.
    const triage = page.getByRole('form', { name: 'Triage' });
    await triage.getByLabel('Decision').selectOption('accept');
    await triage.getByRole('button', { name: 'Record triage decision' }).click();
    await expect(triage.getByRole('alert').textContent()).resolves.toMatch(/reason/);
    expect(await phase(page).textContent()).toBe('Triage');
    await shoot(page, '02-triage-error');
    await triage.getByLabel('Reason').fill('Frail, two falls, lives alone: meets the criteria');
    const sent = page.waitForRequest((r) => r.url().endsWith('/triage') && r.method() === 'POST');
    const triaged = await answerTo(page, '/triage', () =>
      triage.getByRole('button', { name: 'Record triage decision' }).click(),
    );
    // Every action carries an Idempotency-Key, so a retry after a lost answer is not done twice.
    expect((await sent).headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(triaged).toBe(200);
    await expect.poll(() => phase(page).textContent()).toBe('Assessment');
    expect(await unlabelledControls(page)).toEqual([]);

    // The co-ordinator the journey is given (assignment follows acceptance) does the assessment and the plan.
    const assigned = page.locator('dt:text("Co-ordinator") + dd');
    await expect
      .poll(
        async () => {
          await page.reload();
          await phase(page).waitFor();
          return assigned.textContent();
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .not.toBe('Unassigned');
    const coordinatorName = await assigned.textContent();
    const coordinator = { 'Ana Silva': 'coordinator:coord-ana', 'Joe Penrose': 'coordinator:coord-joe' }[
      coordinatorName ?? ''
    ];
    expect(coordinator, `assigned to ${coordinatorName}`).toBeDefined();
    await signOut(page);
    await signIn(page, coordinator!);
    await page.goto(`${stack.base}/#/journeys/${encodeURIComponent(routineJourney)}`);
    const assessment = page.getByRole('form', { name: 'Holistic assessment' });
    await assessment.getByLabel('Summary').fill('Mobility poor after falls; daughter visits daily.');
    await assessment.getByLabel('Need 1: description').fill('Falls risk at home: needs a home safety check');
    await assessment.getByLabel('What matters to the person').fill('Staying in her own home with her cat');
    await assessment.getByLabel('Has a carer').check();
    await assessment.getByLabel("Carer's relationship").fill('daughter');
    expect(await unlabelledControls(page)).toEqual([]);
    await shoot(page, '03-assessment-form');
    const assessed = await answerTo(page, '/assessment', () =>
      assessment.getByRole('button', { name: 'Record assessment' }).click(),
    );
    expect(assessed).toBe(200);
    await expect.poll(() => phase(page).textContent()).toBe('Care planning');

    const plan = page.getByRole('form', { name: 'Care plan' });
    await plan.getByLabel('Goal 1').fill('Walk to the corner shop safely');
    await plan.getByLabel('Action 1: what').fill('Occupational therapy home assessment');
    await plan.getByLabel('Action 1: who').fill('OT team');
    const planned = await answerTo(page, '/care-plan', () =>
      plan.getByRole('button', { name: 'Agree care plan' }).click(),
    );
    expect(planned).toBe(200);
    await expect.poll(() => phase(page).textContent()).toBe('Active');
    await expect(page.getByRole('heading', { name: 'Care plan (version 1)' }).count()).resolves.toBe(1);
    await expect(page.getByText('Occupational therapy home assessment').count()).resolves.toBeGreaterThan(0);
    // The action's deadline is named by what is to be done, not by its id.
    await expect(
      page.getByRole('cell', { name: 'Action: Occupational therapy home assessment' }).count(),
    ).resolves.toBe(1);

    // A contact recorded with the keyboard alone: an attempt, which the journey keeps and shows as one.
    await tabTo(page, 'Kind');
    await page.keyboard.press('End'); // last option of the native select
    await tabTo(page, 'Outcome');
    await page.keyboard.press('End'); // declined
    await tabTo(page, 'Notes');
    await page.keyboard.type('Phoned to check the OT visit is booked');
    await tabTo(page, 'Record contact');
    expect(await answerTo(page, '/contacts', () => page.keyboard.press('Enter'))).toBe(200);
    await expect.poll(() => page.getByRole('form', { name: 'Contact' }).getByRole('status').count()).toBe(1);
    // What was written is kept and shown with the contact.
    const notes = page.getByRole('region', { name: 'Reviews and contacts' });
    await expect.poll(() => notes.getByText('Phoned to check the OT visit is booked').count()).toBe(1);
    await expect.poll(() => notes.getByText(/attempt, declined/).count()).toBe(1);
    // A PHQ-9 completed with the keyboard alone: Tab from item to item, an arrow key or Space to
    // answer. One item at "several days", the rest "not at all"; the difficulty item left (unscored).
    await tabTo(page, 'Measure');
    for (let item = 0; item < 9; item++) {
      await page.keyboard.press('Tab'); // into the item's radio group, on its first answer
      await page.keyboard.press(item === 0 ? 'ArrowDown' : 'Space');
    }
    await tabTo(page, 'Record measure');
    expect(await answerTo(page, '/measures', () => page.keyboard.press('Enter'))).toBe(200);
    const measures = page.getByRole('region', { name: 'Outcome measures' });
    await expect.poll(() => measures.getByText('Depression severity (0–27): 1 (none to minimal)').count()).toBe(1);
    await expect.poll(() => measures.getByRole('cell', { name: 'baseline' }).count()).toBe(1);
    expect(await unlabelledControls(page)).toEqual([]);
    await shoot(page, '04-journey-active');

    // What the dashboard showed is what the journey is.
    const lead = await stack.tokenFor('lead-raj', 'team-lead', ['south-devon-1']);
    const detail = (await stack.json(`/journeys/${encodeURIComponent(routineJourney)}`, { token: lead })).body as {
      phase: string;
      carePlan: { goals: { description: string }[] };
      contacts: { kind: string; outcome?: string; notes?: string }[];
    };
    expect(detail.phase).toBe('active');
    expect(detail.carePlan.goals[0]!.description).toBe('Walk to the corner shop safely');
    expect(detail.contacts.map((c) => [c.kind, c.outcome, c.notes])).toEqual([
      ['mdt', 'declined', 'Phoned to check the OT visit is booked'],
    ]);
    await page.context().close();
  }, 240_000);

  it('shows a team lead an escalation, which they acknowledge', async () => {
    const gp = await stack.tokenFor('gp-1', 'referrer');
    const lead = await stack.tokenFor('lead-raj', 'team-lead', ['south-devon-1']);
    const made = await stack.json('/referrals', {
      method: 'POST',
      token: gp,
      body: JSON.stringify(referral('4010232137', 'Iris', 'urgent')),
    });
    urgentJourney = made.body.journeyId as string;
    const accepted = await stack.json(`/journeys/${encodeURIComponent(urgentJourney)}/triage`, {
      method: 'POST',
      token: lead,
      body: JSON.stringify({ decision: 'accept', reason: 'urgent: falls' }),
    });
    expect(accepted.status).toBe(200);

    const page = await newPage();
    await signIn(page, 'team-lead:lead-raj');
    await page.goto(`${stack.base}/#/inbox`);
    // Said in words, naming the person.
    const acknowledge = page.getByRole('button', {
      name: /^Acknowledge Escalation: assessment for Iris Testperson \(401 023 2137\) overdue /,
    });
    // The assessment falls due 40 s after the referral and reaches the lead 3 s later.
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByRole('heading', { name: 'Inbox' }).waitFor();
          await page.locator('table').waitFor();
          return acknowledge.count();
        },
        { timeout: 90_000, interval: 2_000 },
      )
      .toBe(1);
    expect(await page.getByRole('heading', { name: 'Iris Testperson (401 023 2137)' }).count()).toBe(1);
    expect(await axeViolations(page, 'inbox')).toEqual([]);
    await shoot(page, '05-inbox-escalation');

    await page.goto(`${stack.base}/#/team`);
    const overdue = page.locator('.card', { has: page.getByRole('heading', { name: /Overdue and escalated/ }) });
    await expect.poll(() => overdue.getByRole('link', { name: 'TESTPERSON, Iris' }).count()).toBe(1);

    await page.goto(`${stack.base}/#/inbox`);
    expect(await answerTo(page, '/ack', () => acknowledge.click())).toBe(204);
    await expect.poll(() => acknowledge.count()).toBe(0);
    const inbox = (await stack.json('/inbox', { token: lead })).body.items as {
      journeyId: string;
      kind: string;
      ackedAt?: string;
    }[];
    const escalation = inbox.find((i) => i.journeyId === urgentJourney && i.kind === 'escalation');
    expect(escalation?.ackedAt).toBeDefined();
    await page.getByLabel('Show acknowledged items').check();
    await expect.poll(() => page.getByText(/^Acknowledged /).count()).toBeGreaterThan(0);
    await shoot(page, '06-inbox-acknowledged');
    await page.context().close();
  }, 180_000);

  it('holds an MDT meeting from the printable agenda, by keyboard, whose action then escalates to its owner', async () => {
    const lead = await stack.tokenFor('lead-raj', 'team-lead', ['south-devon-1']);
    const iris = (await stack.json(`/journeys/${encodeURIComponent(urgentJourney)}`, { token: lead })).body as {
      coordinatorId: string;
    };
    // The action goes to the co-ordinator who is not Iris's: its reminders must reach them, not hers.
    const owner = iris.coordinatorId === 'coord-ana' ? 'coord-joe' : 'coord-ana';

    const page = await newPage();
    await signIn(page, 'team-lead:lead-raj');
    await page.getByRole('link', { name: /^MDT meeting/ }).click();
    await page.waitForURL(/#\/mdt\/south-devon-1/);
    // The agenda is the MDT review list: Iris is on it, overdue and escalated, named.
    const agenda = page.getByRole('table', { name: /Cases from the MDT review list/ });
    await expect.poll(() => agenda.getByRole('link', { name: 'TESTPERSON, Iris' }).count()).toBe(1);
    expect(await axeViolations(page, 'mdt meeting')).toEqual([]);
    // Printed, the agenda stands alone: no navigation, no form, no buttons.
    await page.emulateMedia({ media: 'print' });
    expect(await agenda.isVisible()).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
    expect(await page.getByRole('form', { name: 'Record the meeting' }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Print agenda' }).isVisible()).toBe(false);
    await shoot(page, '06a-mdt-agenda-printed');
    await page.emulateMedia({ media: 'screen' });
    expect(await page.getByRole('button', { name: 'Print agenda' }).isVisible()).toBe(true);

    // The meeting recorded with the keyboard alone.
    const person = 'TESTPERSON, Iris';
    await tabTo(page, 'Ana Silva');
    await page.keyboard.press('Space');
    await tabTo(page, 'Joe Penrose');
    await page.keyboard.press('Space');
    await tabTo(page, 'lead-raj');
    await page.keyboard.press('Space');
    await tabTo(page, `Discussed ${person}`);
    await page.keyboard.press('Space');
    await tabTo(page, `Presented by (${person})`);
    await page.getByLabel(`Presented by (${person})`).selectOption(iris.coordinatorId); // a native select
    await tabTo(page, `Decision (${person})`);
    await page.keyboard.type('Urgent assessment today; GP to review falls medication.');
    await tabTo(page, `Add an action for ${person}`);
    await page.keyboard.press('Enter');
    await tabTo(page, 'What (action 1)');
    await page.keyboard.type('Visit and assess falls risk');
    await tabTo(page, 'Owner (action 1)');
    await page.getByLabel('Owner (action 1)').selectOption(owner);
    await tabTo(page, 'Due (action 1)');
    // Due in a minute: its reminder reaches the owner 20 s before, its overdue notice when due.
    const due = await page.evaluate(() => {
      const t = new Date(Date.now() + 60_000);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}T${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
    });
    await page.getByLabel('Due (action 1)').fill(due);
    expect(await unlabelledControls(page)).toEqual([]);
    await shoot(page, '06b-mdt-meeting-form');
    await tabTo(page, 'Record meeting');
    expect(await answerTo(page, '/mdt-meetings', () => page.keyboard.press('Enter'))).toBe(201);
    const recorded = page.getByRole('status').filter({ hasText: 'Meeting recorded' });
    await expect.poll(() => recorded.count()).toBe(1);
    await expect.poll(() => recorded.getByText(/recorded in the journey/).count()).toBe(1);

    // The journey says it was discussed, and names the action's deadline by what is to be done.
    await page.goto(`${stack.base}/#/journeys/${encodeURIComponent(urgentJourney)}`);
    await expect.poll(() => page.getByText(/^Discussed at the MDT on /).count()).toBe(1);
    await expect
      .poll(() => page.getByRole('cell', { name: 'MDT action: Visit and assess falls risk' }).count())
      .toBe(1);

    // The owner's inbox: the reminder, then the overdue notice — the ladder reached them.
    await signOut(page);
    await signIn(page, `coordinator:${owner}`);
    await page.goto(`${stack.base}/#/inbox`);
    const overdueToOwner = page.getByText(/^Overdue: mdt action \S+ for Iris Testperson/);
    await expect
      .poll(
        async () => {
          await page.reload();
          // Counted once the inbox has loaded, not while it still says "Loading…".
          await page.getByTestId('inbox-count').waitFor();
          return overdueToOwner.count();
        },
        { timeout: 120_000, interval: 2_000 },
      )
      .toBe(1);
    expect(await page.getByText(/^Reminder: mdt action \S+ for Iris Testperson/).count()).toBe(1);
    // For them as the action's owner, not as anyone's co-ordinator.
    expect(await page.getByRole('cell', { name: 'Action owner', exact: true }).count()).toBe(2);
    await shoot(page, '06c-mdt-action-owner-inbox');
    const ownerToken = await stack.tokenFor(owner, 'coordinator', ['south-devon-1']);
    const coordinatorToken = await stack.tokenFor(iris.coordinatorId, 'coordinator', ['south-devon-1']);
    type Item = { deadline: string; kind: string; journeyId: string };
    const mdtItems = async (token: string) =>
      ((await stack.json('/inbox?limit=200', { token })).body.items as Item[]).filter(
        (i) => i.journeyId === urgentJourney && i.deadline.startsWith('mdt-action:'),
      );
    expect((await mdtItems(ownerToken)).map((i) => i.kind).sort()).toEqual(['overdue', 'reminder']);
    // Not the journey's co-ordinator: the action is someone else's.
    expect(await mdtItems(coordinatorToken)).toEqual([]);

    // The owner marks it done: its ladder stops.
    await page.goto(`${stack.base}/#/journeys/${encodeURIComponent(urgentJourney)}`);
    const done = page.getByRole('form', { name: 'MDT action “Visit and assess falls risk”' });
    expect(await answerTo(page, '/done', () => done.getByRole('button', { name: 'Mark done' }).click())).toBe(200);
    await expect.poll(() => page.getByText(new RegExp(`^done .* by ${owner}$`)).count()).toBe(1);
    await page.context().close();
  }, 240_000);

  it('draws the evaluation charts from the journeys', async () => {
    const page = await newPage();
    // The team's own lead sees its counts as they are; a service manager sees small ones as "<5" (below).
    await signIn(page, 'team-lead:lead-raj');
    await page.goto(`${stack.base}/#/evaluation`);
    await expect.poll(() => page.getByTestId('referrals-total').textContent(), { timeout: 20_000 }).toBe('2');
    // Bars drawn for the on-time rates (assessment and care plan met) and the referral sources.
    await expect
      .poll(() => page.locator('[data-chart="on-time"] .recharts-bar-rectangle path').count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('[data-chart="sources"] .recharts-bar-rectangle path').count())
      .toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-chart="trend"] .recharts-line').count()).toBe(4);
    // The same figures as a table, for screen readers.
    await page.locator('[data-chart="on-time"] summary').click();
    const rows = await page.locator('[data-chart="on-time"] tbody tr').allInnerTexts();
    expect(rows.find((r) => r.startsWith('assessment'))).toMatch(/assessment\s+1\s+1\s+100%/);
    // Outcomes as tables, each figure with whom it is of: the days on the co-ordinator's caseload.
    await expect.poll(() => page.getByTestId('caseload-days').locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('caseload-days').locator('tbody tr').first().innerText()).toMatch(
      /south-devon-1\s+\S+\s+[12]\s+\d+(\.\d)?/,
    );
    expect(await page.getByTestId('place-of-death').locator('caption').innerText()).toBe(
      'Died in their preferred place',
    );
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await axeViolations(page, 'evaluation')).toEqual([]);
    await shoot(page, '07-evaluation');
    await page.context().close();

    // Outside the team, two referrals cannot be told apart from one person: "<5", and no rates.
    const manager = await newPage();
    await signIn(manager, 'service-manager:mgr-kim');
    await manager.goto(`${stack.base}/#/evaluation`);
    await expect.poll(() => manager.getByTestId('referrals-total').textContent(), { timeout: 20_000 }).toBe('<5');
    await expect.poll(() => manager.getByTestId('small-numbers').textContent()).toContain('shown as “<5”');
    await manager.locator('[data-chart="on-time"] summary').click();
    const hidden = await manager.locator('[data-chart="on-time"] tbody tr').allInnerTexts();
    expect(hidden.find((r) => r.startsWith('assessment'))).toMatch(/assessment\s+<5\s+<5\s+—/);
    // Caseload days of fewer than five people are hidden with the people.
    expect(await manager.getByTestId('caseload-days').locator('tbody tr').first().innerText()).toMatch(/<5\s+—$/);
    expect(await axeViolations(manager, 'evaluation')).toEqual([]);
    await manager.context().close();
  }, 120_000);

  it('lets operations staff read a journey history in the Temporal Web UI by breaking glass, and nobody else', async () => {
    const page = await newPage();
    // The Temporal UI asks the codec with the browser's cookies ("include cross-origin credentials").
    await page.goto(stack.temporalUi);
    await page.evaluate((endpoint) => {
      localStorage.setItem('endpoint', JSON.stringify(endpoint));
      localStorage.setItem('includeCredentials', 'true');
      localStorage.setItem('overrideRemoteCodecConfiguration', 'true');
    }, `${stack.base}/codec`);
    const journeyPage = `${stack.base}/#/journeys/${encodeURIComponent(routineJourney)}`;

    /** Opens the journey's history in the Temporal UI; returns the codec's answer and the input panel. */
    const openHistory = async () => {
      await page.goto(journeyPage);
      const href = await page.getByRole('link', { name: /Temporal Web UI/ }).getAttribute('href');
      const codecAnswer = page.waitForResponse(
        (r) => r.url().startsWith(`${stack.base}/codec/decode`) && r.request().method() === 'POST',
        { timeout: 60_000 },
      );
      await page.goto(href!);
      await page.locator('a[href*="/history"]').first().click();
      const input = page.getByTestId('input-and-result');
      await input.waitFor();
      return { status: (await codecAnswer).status(), input };
    };

    // Signed in as ops is not enough: decoding is break-glass.
    await signIn(page, 'ops:ops-1');
    const unbroken = await openHistory();
    expect(unbroken.status).toBe(401);
    expect(await unbroken.input.innerText()).not.toContain('Frailty virtual ward');

    await page.goto(journeyPage);
    const breakGlass = page.getByTestId('break-glass');
    await breakGlass.getByRole('button', { name: 'Break glass' }).click();
    await expect.poll(() => breakGlass.getByRole('alert').innerText()).toContain('at least 10 characters');
    await breakGlass.getByLabel('Reason').fill('INC-4411: journey stuck after the outage');
    await breakGlass.getByRole('button', { name: 'Break glass' }).click();
    await expect.poll(() => breakGlass.getByRole('status').innerText()).toMatch(/Decoding is open until/);
    expect(await axeViolations(page, 'break glass')).toEqual([]);

    const asOps = await openHistory();
    expect(asOps.status).toBe(200);
    // The UI redraws with the decoded payload once the codec has answered; under load that takes a while.
    await expect.poll(() => asOps.input.innerText(), { timeout: 30_000 }).toContain('Frailty virtual ward');
    await shoot(page, '08-temporal-ui-decoded');
    // Decoded or not, the workflow never held who the person is.
    const body = await page.locator('body').innerText();
    for (const identifier of ['9434765919', 'Ruby', 'Testperson', '1941-03-02']) expect(body).not.toContain(identifier);

    // Signing out ends the session in this browser; a co-ordinator cannot break glass at all.
    await page.goto(`${stack.base}/#/team`);
    await signOut(page);
    await signIn(page, 'coordinator:coord-ana');
    await page.goto(journeyPage);
    await page.locator('#actions-heading').waitFor();
    expect(await page.getByTestId('break-glass').count()).toBe(0);
    const asCoordinator = await openHistory();
    expect(asCoordinator.status).toBe(401);
    expect(await asCoordinator.input.innerText()).not.toContain('Frailty virtual ward');
    await shoot(page, '09-temporal-ui-refused');
    await page.context().close();
  }, 120_000);

  it('a co-ordinator finds a person by NHS number, then by name, and sees the banner', async () => {
    const page = await newPage();
    await signIn(page, 'team-lead:lead-raj');
    await page.getByRole('link', { name: 'Find a person' }).click();
    await page.getByRole('heading', { name: 'Find a person' }).waitFor();
    expect(await axeViolations(page, 'find a person')).toEqual([]);
    // With the keyboard alone, as a co-ordinator on the phone would.
    await tabTo(page, 'NHS number');
    await page.keyboard.type('943 476 5919');
    await tabTo(page, 'Find by NHS number');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('results-count').textContent()).toBe('1 found');
    const found = page.getByRole('region', { name: 'Patient banner' });
    await expect(found.getByText('TESTPERSON, Ruby').count()).resolves.toBe(1);
    await shoot(page, '10-found-by-nhs-number');

    const byName = page.getByRole('form', { name: 'By name and date of birth' });
    await byName.getByLabel('Name').fill('ruby testp');
    await byName.getByLabel('Date of birth').fill('1941-03-02');
    await byName.getByRole('button', { name: 'Find by name' }).click();
    // Both of the test's people share the date of birth and family name; "ruby" picks one.
    await expect.poll(() => page.getByTestId('results-count').textContent()).toBe('1 found');
    await expect(found.getByTestId('banner-nhs-number').textContent()).resolves.toBe('943 476 5919');
    await byName.getByLabel('Name').fill('nobody');
    await byName.getByRole('button', { name: 'Find by name' }).click();
    await expect.poll(() => page.getByTestId('results-count').textContent()).toBe('No one found in your care');
    expect(await axeViolations(page, 'search results')).toEqual([]);
    await page.context().close();
  }, 120_000);

  let formJourney: string;
  it('a hub worker makes a referral through the form, a check-digit error shown while typing', async () => {
    const page = await newPage();
    await signIn(page, 'referrer:gp-1');
    await page.getByRole('link', { name: 'Refer', exact: true }).click();
    const form = page.getByRole('form', { name: 'Referral' });
    await form.waitFor();
    expect(await axeViolations(page, 'refer')).toEqual([]);
    // One digit wrong: said at once, before the form is sent.
    await form.getByLabel('NHS number').fill('943 476 5006');
    await expect.poll(() => form.getByTestId('nhs-number-error').textContent()).toMatch(/check digit is wrong/);
    await expect(form.getByLabel('NHS number').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await axeViolations(page, 'refer with an error')).toEqual([]);
    await shoot(page, '11-referral-check-digit');
    await form.getByLabel('NHS number').fill('943 476 5005');
    await expect.poll(() => form.getByTestId('nhs-number-error').textContent()).toBe('');
    await form.getByLabel('Given name').fill('Olive');
    await form.getByLabel('Family name').fill('Testperson');
    await form.getByLabel('Date of birth').fill('1937-11-20');
    await form.getByLabel('Gender').selectOption('female');
    await form.getByLabel('Address').fill('3 Quay Lane');
    await form.getByLabel('Town').fill('Torquay');
    await form.getByLabel('Postcode').fill('TQ1 2AB');
    await form.getByLabel('GP practice', { exact: true }).fill('Torquay Health Centre');
    await form.getByLabel('Programme').selectOption('frailty-virtual-ward');
    await form.getByLabel('Referred by').selectOption('gp');
    await form.getByLabel('Reason for referral').fill('Falls and confusion since a chest infection');
    await form.getByLabel('Conditions').fill('falls, copd');
    await form.getByLabel('The person consents to this referral').check();
    await form.getByLabel('Consent recorded by').fill('Dr Example');
    expect(await unlabelledControls(page)).toEqual([]);
    const sent = await answerTo(page, '/referrals', () => form.getByRole('button', { name: 'Send referral' }).click());
    expect(sent).toBe(202);
    const answer = page.getByTestId('referral-answer');
    await expect.poll(() => answer.getByRole('heading').textContent()).toBe('A new journey was opened');
    await shoot(page, '12-referral-sent');
    // The same person referred again (a second call from the ward): it joins the journey just opened.
    expect(await answerTo(page, '/referrals', () => form.getByRole('button', { name: 'Send referral' }).click())).toBe(
      202,
    );
    await expect.poll(() => answer.getByRole('heading').textContent()).toBe('Added to the person’s open journey');
    // What the form sent is what the record holds.
    const lead = await stack.tokenFor('lead-raj', 'team-lead', ['south-devon-1']);
    const found = await stack.json('/patients?nhsNumber=9434765005', { token: lead });
    const person = (found.body.items as { person: Record<string, string>; journeys: { id: string }[] }[])[0]!;
    expect(person.person).toMatchObject({
      name: 'TESTPERSON, Olive',
      gender: 'female',
      address: '3 Quay Lane, Torquay, TQ1 2AB',
      gpPractice: 'Torquay Health Centre',
    });
    formJourney = person.journeys[0]!.id;
    await page.context().close();
  }, 120_000);

  it('the GP who referred sees the referral accepted, with the co-ordinator’s name', async () => {
    const lead = await stack.tokenFor('lead-raj', 'team-lead', ['south-devon-1']);
    const page = await newPage();
    await signIn(page, 'referrer:gp-1');
    await page.getByRole('heading', { name: 'My referrals' }).waitFor();
    // Two referrals for Olive (the second joined the first's journey): each row says the same.
    const row = page.getByRole('row', { name: /TESTPERSON, Olive/ }).first();
    await expect.poll(() => row.getByTestId('referral-status').textContent()).toBe('Received: waiting for triage');
    const triaged = await stack.json(`/journeys/${encodeURIComponent(formJourney)}/triage`, {
      method: 'POST',
      token: lead,
      body: JSON.stringify({ decision: 'accept', reason: 'frail, falls' }),
    });
    expect(triaged.status).toBe(200);
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByRole('heading', { name: 'My referrals' }).waitFor();
          await page.locator('table').waitFor();
          return row.getByTestId('referral-status').textContent();
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toMatch(/^Accepted: co-ordinator (Ana Silva|Joe Penrose)$/);
    expect(await axeViolations(page, 'my referrals')).toEqual([]);
    await shoot(page, '13-my-referrals');
    await page.context().close();

    // A second GP at the same practice, which shares its referrals: her own list is empty, the
    // practice's names the referral and who made it.
    const colleague = await newPage();
    await signIn(colleague, 'referrer:gp-2');
    await colleague.getByRole('heading', { name: 'My referrals' }).waitFor();
    await expect.poll(() => colleague.getByText('You have made no referrals yet.').count()).toBe(1);
    await colleague.getByLabel('Whose referrals').selectOption('organisation');
    const practiceRow = colleague.getByRole('row', { name: /TESTPERSON, Olive/ }).first();
    await expect.poll(() => practiceRow.getByRole('cell', { name: 'gp-1', exact: true }).count()).toBe(1);
    expect(await axeViolations(colleague, 'my practice referrals')).toEqual([]);
    await shoot(colleague, '14-practice-referrals');
    await colleague.context().close();
  }, 120_000);

  it('a team lead moves a co-ordinator’s caseload and watches it go, then records an absence with cover', async () => {
    const lead = await stack.tokenFor('lead-raj', 'team-lead', ['south-devon-1']);
    const caseloads = await stack.json('/caseloads?team=south-devon-1', { token: lead });
    const [fullest] = (caseloads.body.items as { coordinatorId: string; name: string; caseload: number }[]).sort(
      (a, b) => b.caseload - a.caseload,
    );
    expect(fullest!.caseload).toBeGreaterThan(0);
    const page = await newPage();
    await signIn(page, 'team-lead:lead-raj');
    await page.getByRole('link', { name: 'Staff', exact: true }).click();
    await page.getByRole('heading', { name: /^Staff/ }).waitFor();
    expect(await axeViolations(page, 'staff')).toEqual([]);

    const move = page.getByRole('form', { name: 'Move a caseload' });
    await move.getByLabel('Move every open journey of').selectOption(fullest!.coordinatorId);
    expect(
      await answerTo(page, '/caseload-moves', () => move.getByRole('button', { name: 'Move the caseload' }).click()),
    ).toBe(202);
    const progress = page.getByTestId('caseload-move').first();
    await expect
      .poll(() => progress.textContent(), { timeout: 60_000, interval: 1_000 })
      .toMatch(
        new RegExp(
          `^${fullest!.name}’s journeys, asked .*${fullest!.caseload} of ${fullest!.caseload} moved \\(${fullest!.caseload} to \\w+ \\w+\\)\\. Done\\.$`,
        ),
      );
    await shoot(page, '15-caseload-moved');

    const absence = page.getByRole('form', { name: 'Record an absence' });
    const today = new Date().toISOString().slice(0, 10);
    const nextWeek = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    await absence.getByLabel('Who is away').selectOption('coord-ana');
    await absence.getByLabel('From').fill(today);
    await absence.getByLabel('Until').fill(nextWeek);
    await absence.getByLabel('Who covers').selectOption('coord-joe');
    await absence.getByLabel('Reason').fill('annual leave');
    expect(
      await answerTo(page, '/absences', () => absence.getByRole('button', { name: 'Record the absence' }).click()),
    ).toBe(201);
    const ana = page.getByRole('row', { name: /Ana Silva/ }).first();
    await expect
      .poll(() => ana.getByTestId('away-status').textContent())
      .toMatch(/^Away until .*: Joe Penrose covers$/);
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await axeViolations(page, 'staff with an absence')).toEqual([]);
    await shoot(page, '16-staff-absence');
    await page.context().close();
  }, 120_000);

  it('axe-core finds no WCAG 2.2 AA violation on any page, the sign-in page included', async () => {
    const page = await newPage();
    await page.goto(`${stack.base}/#/sign-in`);
    await page.getByLabel('Person').waitFor();
    expect(await axeViolations(page, 'sign in')).toEqual([]);
    // Every page the tests above visited was checked as it was shown.
    expect(new Set(axeChecked)).toEqual(
      new Set([
        'team',
        'journey',
        'break glass',
        'inbox',
        'mdt meeting',
        'evaluation',
        'find a person',
        'search results',
        'refer',
        'refer with an error',
        'my referrals',
        'my practice referrals',
        'staff',
        'staff with an absence',
        'sign in',
      ]),
    );
    await page.context().close();
  });

  it('ran without script errors or content-policy violations', () => {
    expect(consoleProblems).toEqual([]);
  });
});
