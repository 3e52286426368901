/**
 * 6. Lists: the overdue list of a team (GET /journeys?team=…&overdue=true) and a co-ordinator's
 * caseload (GET /journeys?coordinator=…) with many journey summaries in DynamoDB Local, through the
 * HTTP API. The summaries are written by the worker's own projectJourney activity into a table of
 * their own (a DynamoDB Local of their own, so the other measures' data does not share its heap).
 * The API's DynamoDB client is instrumented: every command is counted by name (a Scan would show),
 * and each Query reports ScannedCount, Count and ConsumedCapacity. The floor: one GetItem through
 * the same client — the cheapest request DynamoDB Local answers.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import type { JourneySummary } from '../../domain/views.js';
import type { BenchContext } from '../context.js';
import { capturingClient, loadItems, startApi, startTable } from '../stack.js';
import { round, summarise } from '../stats.js';

const DAY = 86_400_000;

interface Read {
  command: string;
  scanned?: number;
  count?: number;
  capacity?: number;
}

export async function measureLists(ctx: BenchContext) {
  const { summaries, teams, coordinatorsPerTeam, requests } = ctx.sizes.lists;
  const table = await startTable(ctx.toolchain, 'bench-lists');
  try {
    const reads: Read[] = [];
    let recording = false;
    table.doc.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        if (
          recording &&
          (context.commandName === 'QueryCommand' ||
            context.commandName === 'GetCommand' ||
            context.commandName === 'ScanCommand')
        )
          input.ReturnConsumedCapacity = 'TOTAL';
        const out = await next(args);
        if (recording) {
          const o = out.output as {
            ScannedCount?: number;
            Count?: number;
            ConsumedCapacity?: { CapacityUnits?: number };
          };
          reads.push({
            command: String(context.commandName),
            ...(o.ScannedCount !== undefined ? { scanned: o.ScannedCount } : {}),
            ...(o.Count !== undefined ? { count: o.Count } : {}),
            ...(o.ConsumedCapacity?.CapacityUnits !== undefined ? { capacity: o.ConsumedCapacity.CapacityUnits } : {}),
          });
        }
        return out;
      },
      { step: 'initialize', name: 'benchReads' },
    );

    // Load: items exactly as the worker's projectJourney builds them (its PutCommand is captured),
    // written 25 at a time with BatchWriteItem — loading is set-up, not what is measured.
    const capture = capturingClient();
    const store = createJourneyActivities({ doc: capture.doc, tableName: table.tableName });
    const now = Date.now();
    const phases = [
      'triage',
      'assessment',
      'assessment',
      'care-planning',
      'active',
      'active',
      'active',
      'active',
      'active',
      'in-hospital',
    ] as const;
    const tiers = ['low', 'medium', 'high'] as const;
    const summaryAt = (i: number): JourneySummary => {
      const team = i % teams;
      const phase = phases[Math.floor(ctx.random() * phases.length)]!;
      const due = now + Math.round((ctx.random() * 100 - 20) * DAY); // a fifth are overdue
      const nextDueAt = new Date(due).toISOString();
      return {
        id: `bench-programme.p${String(i).padStart(7, '0')}.e1`,
        programme: 'bench-programme',
        teamId: `team-${team}`,
        phase,
        coordinatorId:
          phase === 'triage' ? null : `team-${team}-coord-${Math.floor(ctx.random() * coordinatorsPerTeam)}`,
        riskTier: tiers[Math.floor(ctx.random() * 3)]!,
        nextDueAt,
        nextDeadline:
          phase === 'active'
            ? 'review'
            : phase === 'triage'
              ? 'triage'
              : phase === 'care-planning'
                ? 'care-plan'
                : 'assessment',
        overdue: due <= now,
        lastReadmissionAt: null,
        revision: 1,
        openedAt: new Date(now - 30 * DAY).toISOString(),
        closedAt: null,
        closeReason: null,
      };
    };
    ctx.log(`lists: writing ${summaries} journey summaries`);
    const t0 = performance.now();
    for (let i = 0; i < summaries; i += 1) await store.projectJourney(summaryAt(i));
    await loadItems(table, capture.items);
    const loadSeconds = round((performance.now() - t0) / 1000, 1);
    ctx.log(`lists: loaded in ${loadSeconds} s`);

    const api = await startApi({
      programmes: ctx.programmes,
      client: ctx.stack.client,
      doc: table.doc,
      tableName: table.tableName,
      pseudonymKey: ctx.stack.pseudonymKey,
    });
    try {
      const leadTokens = await Promise.all(
        Array.from({ length: teams }, (_, t) => api.token(`team-${t}-lead`, 'team-lead', [`team-${t}`])),
      );
      const coordTokens = new Map<string, string>();
      const coordToken = async (t: number, c: number) => {
        const id = `team-${t}-coord-${c}`;
        if (!coordTokens.has(id)) coordTokens.set(id, await api.token(id, 'coordinator', [`team-${t}`]));
        return { id, token: coordTokens.get(id)! };
      };
      const pick = (n: number) => Math.floor(ctx.random() * n);

      type Kind = 'overdue' | 'caseload' | 'floor';
      const timings: Record<Kind, number[]> = { overdue: [], caseload: [], floor: [] };
      const readsOf: Record<Kind, Read[]> = { overdue: [], caseload: [], floor: [] };
      let returned = { overdue: 0, caseload: 0 };
      const one = async (kind: Kind) => {
        const before = reads.length;
        const t = performance.now();
        if (kind === 'floor') {
          await table.doc.send(
            new GetCommand({
              TableName: table.tableName,
              Key: { pk: `JOURNEY#bench-programme.p${String(pick(summaries)).padStart(7, '0')}.e1`, sk: 'SUMMARY' },
            }),
          );
        } else if (kind === 'overdue') {
          const team = pick(teams);
          const r = await api.call('GET', `/journeys?team=team-${team}&overdue=true`, { token: leadTokens[team]! });
          if (r.status !== 200) throw new Error(`overdue list ${r.status}: ${r.text.slice(0, 200)}`);
          const items = (r.body as { items: { overdue: boolean }[] }).items;
          if (items.some((j) => !j.overdue)) throw new Error('the overdue list holds a journey that is not overdue');
          returned.overdue += items.length;
        } else {
          const team = pick(teams);
          const { id, token } = await coordToken(team, pick(coordinatorsPerTeam));
          const r = await api.call('GET', `/journeys?coordinator=${id}`, { token });
          if (r.status !== 200) throw new Error(`caseload ${r.status}: ${r.text.slice(0, 200)}`);
          returned.caseload += (r.body as { items: unknown[] }).items.length;
        }
        timings[kind].push(performance.now() - t);
        readsOf[kind].push(...reads.slice(before));
      };
      // Warm up, then interleave the three so they share the machine's moments.
      for (const kind of ['floor', 'overdue', 'caseload'] as const) for (let i = 0; i < 10; i += 1) await one(kind);
      for (const k of ['overdue', 'caseload', 'floor'] as const) timings[k] = [];
      returned = { overdue: 0, caseload: 0 };
      reads.length = 0;
      recording = true;
      for (const k of ['overdue', 'caseload', 'floor'] as const) readsOf[k] = [];
      for (let i = 0; i < requests; i += 1)
        for (const kind of ['overdue', 'caseload', 'floor'] as const) await one(kind);
      recording = false;

      // The same overdue query straight to DynamoDB (no HTTP, no auth): where the API's own time goes.
      const direct: number[] = [];
      for (let i = 0; i < Math.min(requests, 100); i += 1) {
        const t = performance.now();
        await table.doc.send(
          new QueryCommand({
            TableName: table.tableName,
            IndexName: 'GSI3',
            KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :now',
            ExpressionAttributeValues: { ':pk': `TEAM#team-${pick(teams)}#OPEN`, ':now': new Date().toISOString() },
            Limit: 50,
          }),
        );
        direct.push(performance.now() - t);
      }

      const itemsRead = (rs: Read[]) => {
        const q = rs.filter((r) => r.command === 'QueryCommand');
        return {
          queriesPerRequest: round(q.length / requests, 2),
          itemsReadPerRequest: {
            mean: round(q.reduce((a, r) => a + (r.scanned ?? 0), 0) / requests, 1),
            max: Math.max(0, ...q.map((r) => r.scanned ?? 0)),
          },
          consumedCapacityPerRequest: q.some((r) => r.capacity !== undefined)
            ? round(q.reduce((a, r) => a + (r.capacity ?? 0), 0) / requests, 2)
            : null,
        };
      };
      const commands = [...new Set(reads.map((r) => r.command))];
      const scans = reads.filter((r) => r.command === 'ScanCommand').length;
      const overdue = summarise(timings.overdue);
      const caseload = summarise(timings.caseload);
      const floor = summarise(timings.floor);
      const worst = Math.max(overdue.p99, caseload.p99);
      ctx.log(
        `lists: overdue p99 ${overdue.p99} ms, caseload p99 ${caseload.p99} ms · floor GetItem p99 ${floor.p99} ms · scans ${scans}`,
      );
      return {
        description: `GET /journeys?team=…&overdue=true (team lead) and GET /journeys?coordinator=… (the co-ordinator) over HTTP, ${requests} of each interleaved, with ${summaries} journey summaries in ${teams} teams × ${coordinatorsPerTeam} co-ordinators; page size 50.`,
        headline: { metric: 'worst p99 of the two lists', value: worst, unit: 'ms' },
        floor: {
          what: 'one GetItem on the same DynamoDB Local through the same client (p99)',
          value: floor.p99,
          unit: 'ms',
          latencyMs: floor,
        },
        ratio: round(worst / Math.max(floor.p99, 0.01), 2),
        ratioMeaning: 'worst list p99 ÷ GetItem p99 (lower is better)',
        target: { text: 'p99 < 50 ms, no Scan', met: worst < 50 && scans === 0 },
        summaries,
        loadSeconds,
        overdue: {
          latencyMs: overdue,
          returnedPerRequest: round(returned.overdue / requests, 1),
          ...itemsRead(readsOf.overdue),
        },
        caseload: {
          latencyMs: caseload,
          returnedPerRequest: round(returned.caseload / requests, 1),
          ...itemsRead(readsOf.caseload),
        },
        overdueQueryDirectMs: summarise(direct),
        commandsSeen: commands,
        scans,
      };
    } finally {
      await api.close();
    }
  } finally {
    await table.service.stop();
  }
}
