/**
 * 3. Timers: lateness from a deadline's due time to its inbox item, while many journeys hold open
 * timers. Probes are journeys of the bench-timer programme: triage due a few seconds after the
 * referral, one ladder step at the due time that puts an "overdue" item in the team lead's inbox.
 * The inbox is read through GET /inbox every `pollMs`; an item's lateness is when it was first
 * seen minus its `dueAt`. The floor: an empty workflow's durable timer to the same kind of instant
 * followed by one DynamoDB put, lateness measured when the put finished.
 */
import { randomUUID } from 'node:crypto';
import { TIMER } from '../programmes.js';
import { timerFloor } from '../floorWorkflows.js';
import { FLOOR_TASK_QUEUE } from '../workerProtocol.js';
import { type BenchContext, countOpened, openJourneys, referralBody } from '../context.js';
import { round, sleep, summarise } from '../stats.js';

interface InboxItem {
  id: string;
  journeyId: string;
  kind: string;
  deadline: string;
  dueAt: string | null;
  createdAt: string;
}

export async function measureTimers(ctx: BenchContext) {
  const { probes, spreadSeconds, leadSeconds, pollMs } = ctx.sizes.timers;
  const { api, client } = ctx.stack;
  const holding = openJourneys(ctx);
  const gap = (spreadSeconds * 1000) / probes;

  // Floor: probes started at the same pace, each sleeping until its own due time.
  ctx.log(`timers: ${probes} floor probes over ${spreadSeconds} s with ${holding} journeys holding open timers`);
  const floorRuns: Promise<number>[] = [];
  for (let i = 0; i < probes; i += 1) {
    const dueAt = Date.now() + leadSeconds * 1000;
    const id = randomUUID();
    floorRuns.push(
      client.workflow
        .start(timerFloor, { workflowId: `floor-timer-${id}`, taskQueue: FLOOR_TASK_QUEUE, args: [id, dueAt] })
        .then((h) => h.result())
        .then((firedAt) => firedAt - dueAt),
    );
    await sleep(gap);
  }
  const floorLateness = await Promise.all(floorRuns);

  // carepath: probe referrals at the same pace; the lead's inbox is watched throughout.
  ctx.log(`timers: ${probes} journey probes`);
  const gp = await api.token('bench-gp', 'referrer');
  const lead = await api.token(TIMER.lead, 'team-lead', [TIMER.team]);
  const seen = new Map<string, { seenAt: number; item: InboxItem }>();
  const probeJourneys = new Set<string>();
  let watching = true;
  let inboxReads = 0;
  const watcher = (async () => {
    while (watching) {
      const r = await api.call('GET', '/inbox?limit=200', { token: lead });
      const at = Date.now();
      inboxReads += 1;
      for (const item of (r.body as { items: InboxItem[] }).items)
        if (!seen.has(item.id)) seen.set(item.id, { seenAt: at, item });
      await sleep(pollMs);
    }
  })();
  const referring: Promise<void>[] = [];
  for (let i = 0; i < probes; i += 1) {
    referring.push(
      api
        .call('POST', '/referrals', { token: gp, json: referralBody(ctx.nhsNumber(), TIMER.programme, TIMER.team) })
        .then((r) => {
          if (r.status !== 202) throw new Error(`probe referral ${r.status}: ${r.text.slice(0, 200)}`);
          countOpened(ctx, TIMER.team);
          probeJourneys.add((r.body as { journeyId: string }).journeyId);
        }),
    );
    await sleep(gap);
  }
  await Promise.all(referring);
  const deadline = Date.now() + leadSeconds * 1000 + 120_000;
  const fired = () =>
    [...seen.values()].filter(
      (s) => probeJourneys.has(s.item.journeyId) && s.item.deadline === 'triage' && s.item.kind === 'overdue',
    );
  while (fired().length < probes && Date.now() < deadline) await sleep(100);
  watching = false;
  await watcher;
  const items = fired();
  if (items.length < probes) throw new Error(`only ${items.length} of ${probes} probe deadlines reached the inbox`);

  const lateness = items.map((s) => s.seenAt - Date.parse(s.item.dueAt!));
  const inWorkflow = items.map((s) => Date.parse(s.item.createdAt) - Date.parse(s.item.dueAt!));
  const c = summarise(lateness);
  const f = summarise(floorLateness);
  const ratio = round(c.p99 / Math.max(f.p99, 1), 2);
  ctx.log(`timers: lateness p50 ${c.p50} p99 ${c.p99} ms · floor p50 ${f.p50} p99 ${f.p99} ms`);
  return {
    description: `Lateness from a deadline's due time to its inbox item being readable through GET /inbox (polled every ${pollMs} ms), ${probes} probes due over ${spreadSeconds} s, with ${holding} journeys holding open timers.`,
    headline: { metric: 'due → inbox item, p99', value: c.p99, unit: 'ms', latencyMs: c },
    floor: {
      what: "empty workflow's timer → one DynamoDB put done, same server (p99)",
      value: f.p99,
      unit: 'ms',
      latencyMs: f,
    },
    ratio,
    ratioMeaning: 'carepath p99 ÷ floor p99 (lower is better; the carepath side includes up to one poll interval)',
    target: { text: 'p99 < 1 s', met: c.p99 < 1000 },
    journeysHoldingOpenTimers: holding,
    firedInWorkflowMs: summarise(inWorkflow),
    pollMs,
    inboxReads,
  };
}
