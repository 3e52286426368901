/**
 * 2. Transitions: from posting an HL7 v2 A03 (discharge) for a patient in hospital to the
 * post-discharge contact deadline showing in GET /journeys/{id}. The floor: a signal to an empty
 * workflow and a query that sees it, through the same client and server. Samples alternate
 * between the two so both see the same machine.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { FLOW } from '../programmes.js';
import { pokeSignal, pokesQuery, signalFloor } from '../floorWorkflows.js';
import { FLOOR_TASK_QUEUE } from '../workerProtocol.js';
import { type BenchContext, countOpened, referralBody } from '../context.js';
import { pool, round, sleep, summarise } from '../stats.js';

const stamp = (t: number) => new Date(t).toISOString().replace(/[-:T]/g, '').slice(0, 14);
let control = 0;
export function adtMessage(event: 'A01' | 'A03', nhsNumber: string, at = Date.now()): string {
  control += 1;
  const id = `B${event}${Date.now().toString(36)}${control}`;
  return [
    `MSH|^~\\&|PAS|RBZ^Royal Devon^L|CAREPATH|ICS|${stamp(at)}||ADT^${event}^ADT_${event}|${id}|P|2.3`,
    `EVN|${event}|${stamp(at)}`,
    `PID|1||${nhsNumber}^^^NHS^NH||Patient^Bench`,
    'PV1|1|I|WARD7^BED3^BENCH',
  ].join('\r');
}

interface Detail {
  phase: string;
  coordinatorId: string | null;
  deadlines: { name: string; status: string; dueAt: string }[];
}

export async function measureTransitions(ctx: BenchContext) {
  const { samples } = ctx.sizes.transitions;
  const { api, client } = ctx.stack;
  const gp = await api.token('bench-gp', 'referrer');
  const lead = await api.token(FLOW.lead, 'team-lead', [FLOW.team]);
  const adt = await api.token('tie-1', 'integration');
  const get = async (id: string) => {
    const r = await api.call('GET', `/journeys/${encodeURIComponent(id)}`, { token: lead });
    if (r.status !== 200) throw new Error(`GET journey ${r.status}: ${r.text.slice(0, 200)}`);
    return r.body as Detail;
  };
  const until = async (id: string, ok: (d: Detail) => boolean, what: string) => {
    for (let i = 0; i < 600; i += 1) {
      const d = await get(id);
      if (ok(d)) return d;
      await sleep(50);
    }
    throw new Error(`journey ${id} never became ${what}`);
  };

  // Patients in hospital: referred, accepted, assessed, planned (active), then admitted (A01).
  ctx.log(`transitions: taking ${samples} journeys to hospital through the API`);
  const patients = await pool(samples, 4, async () => {
    const nhs = ctx.nhsNumber();
    const r = await api.call('POST', '/referrals', { token: gp, json: referralBody(nhs, FLOW.programme, FLOW.team) });
    if (r.status !== 202) throw new Error(`referral ${r.status}: ${r.text.slice(0, 200)}`);
    countOpened(ctx, FLOW.team);
    const { journeyId } = r.body as { journeyId: string };
    const assigned = await until(journeyId, (d) => !!d.coordinatorId, 'assigned');
    const coord = await api.token(assigned.coordinatorId!, 'coordinator', [FLOW.team]);
    const path = `/journeys/${encodeURIComponent(journeyId)}`;
    const a = await api.call('POST', `${path}/assessment`, {
      token: coord,
      json: { summary: 'Holistic assessment with carer present (bench)', needs: [] },
    });
    if (a.status !== 200) throw new Error(`assessment ${a.status}: ${a.text.slice(0, 200)}`);
    const p = await api.call('POST', `${path}/care-plan`, {
      token: coord,
      json: { goals: [{ id: 'g1', description: 'Stay safely at home' }], actions: [], agreedWithPatient: true },
    });
    if (p.status !== 200) throw new Error(`care plan ${p.status}: ${p.text.slice(0, 200)}`);
    const admitted = await api.call('POST', '/adt', { token: adt, body: adtMessage('A01', nhs) });
    if (!admitted.text.includes('MSA|AA')) throw new Error(`A01 not accepted: ${admitted.text}`);
    await until(journeyId, (d) => d.phase === 'in-hospital', 'in hospital');
    return { nhs, journeyId };
  });

  const floors: WorkflowHandle[] = await Promise.all(
    patients.map(() =>
      client.workflow.start(signalFloor, { workflowId: `floor-signal-${randomUUID()}`, taskQueue: FLOOR_TASK_QUEUE }),
    ),
  );
  for (const h of floors) await h.query(pokesQuery); // each has run its first task

  const carepath: number[] = [];
  const adtPost: number[] = [];
  const floor: number[] = [];
  let polls = 0;
  for (let i = 0; i < samples; i += 1) {
    // Floor: signal, then query until the workflow's state shows it.
    const h = floors[i]!;
    const f0 = performance.now();
    await h.signal(pokeSignal, 1);
    while ((await h.query(pokesQuery)) < 1) await sleep(1);
    floor.push(performance.now() - f0);

    // carepath: A03 over HTTP, then GET until the post-discharge contact deadline shows.
    const { nhs, journeyId } = patients[i]!;
    const t0 = performance.now();
    const r = await api.call('POST', '/adt', { token: adt, body: adtMessage('A03', nhs) });
    if (!r.text.includes('MSA|AA')) throw new Error(`A03 not accepted: ${r.text}`);
    adtPost.push(performance.now() - t0);
    for (;;) {
      polls += 1;
      const d = await get(journeyId);
      if (d.deadlines.some((x) => x.name === 'post-discharge-contact' && x.status === 'open')) break;
      await sleep(1);
    }
    carepath.push(performance.now() - t0);
  }
  await Promise.all(floors.map((h) => h.signal(pokeSignal, -1)));

  const c = summarise(carepath);
  const f = summarise(floor);
  const ratio = round(c.p99 / f.p99, 2);
  ctx.log(
    `transitions: A03 → visible p50 ${c.p50} p99 ${c.p99} ms · floor p50 ${f.p50} p99 ${f.p99} ms · ratio ${ratio}`,
  );
  return {
    description:
      'POST /adt with an HL7 v2 A03 for a patient whose journey is in hospital, then GET /journeys/{id} until the post-discharge contact deadline is open; one at a time.',
    headline: { metric: 'A03 → deadline visible, p99', value: c.p99, unit: 'ms', latencyMs: c },
    floor: {
      what: 'signal to an empty workflow, then query until it shows, same client and server (p99)',
      value: f.p99,
      unit: 'ms',
      latencyMs: f,
    },
    ratio,
    ratioMeaning: 'carepath p99 ÷ floor p99 (lower is better)',
    target: { text: 'p99 < 250 ms', met: c.p99 < 250 },
    adtPostMs: summarise(adtPost),
    getsPerSample: round(polls / samples, 2),
    programmesSignalledPerAdt: ctx.programmes.length,
  };
}
