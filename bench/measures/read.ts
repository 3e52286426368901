/**
 * 7. Read: one journey in full (GET /journeys/{id}) through the HTTP API with `read.journeys`
 * journeys recorded in DynamoDB, as ADR 0009 has it: one consistent batch read of the journey's
 * recorded state and its corrections item, the access log's PutItem (in flight while the view is built), and no Temporal. The states are lived by the domain's rules
 * (bench/recordedJourneys.ts) and written by the worker's own `recordSnapshot` activity into a table
 * of their own (a DynamoDB Local of their own, as the lists' summaries are).
 *
 * What is counted, not assumed:
 * - Temporal: the API's Temporal client runs on a connection of its own whose gRPC interceptor
 *   counts every call by method (QueryWorkflow among them). Before the reads, one query of a
 *   workflow that does not exist is sent through it and must be counted, so a counter that sees
 *   nothing fails the measure rather than reporting 0.
 * - DynamoDB: every command the API's document client sends is recorded by name, per read.
 *
 * The floor: the same consistent GetItem of a journey's state through the same client, interleaved
 * with the reads sample by sample. `getWithAccessLogPutMs` is that GetItem with the access log's
 * PutItem beside it, and `recordReadDirectMs` the API's read without HTTP (the batch read, gunzip, parse,
 * the view), so what HTTP and auth add can be told from what DynamoDB Local takes. A read is timed
 * to the answer's last byte; the bench's checks of the answer come after.
 */
import { gzipSync } from 'node:zlib';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
} from '@temporalio/client';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import { createRecordReads } from '../../activities/journeyRecord.js';
import { keys } from '../../activities/table.js';
import { stateOf, type JourneySnapshot } from '../../domain/record.js';
import { journeyDetail } from '../../domain/views.js';
import type { BenchContext } from '../context.js';
import { recordProgramme, recordTeam } from '../programmes.js';
import { asJourney, journeyIdOf, livedJourney, recordedTemplate, shapeOf, SHAPES } from '../recordedJourneys.js';
import { startApi, startTable } from '../stack.js';
import { pool, round, summarise } from '../stats.js';

type GrpcInterceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/** A Temporal connection whose every gRPC call is counted by method name (`QueryWorkflow`, …). */
async function countedConnection(address: string) {
  const calls = new Map<string, number>();
  // Inside the retry interceptor: every attempt sent is counted, retries included.
  const counting: GrpcInterceptor = (options, nextCall) => {
    const method = options.method_definition.path.split('/').pop() ?? options.method_definition.path;
    calls.set(method, (calls.get(method) ?? 0) + 1);
    // The next call in the chain, unchanged (grpc-js types it as the interface its class implements).
    return nextCall(options) as ReturnType<GrpcInterceptor>;
  };
  const connection = await Connection.connect({
    address,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), counting],
  });
  return {
    connection,
    calls,
    count: (method?: string) => (method ? (calls.get(method) ?? 0) : [...calls.values()].reduce((a, b) => a + b, 0)),
  };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

export async function measureRead(ctx: BenchContext) {
  const { journeys, teams, coordinatorsPerTeam, requests, populateConcurrency } = ctx.sizes.read;
  const table = await startTable(ctx.toolchain, 'bench-read');
  const temporal = await countedConnection(ctx.stack.temporalAddress);
  try {
    // Every command through the API's (and the floor's) document client, by name, with the size of
    // the state a read brought back (a GetItem's, or the API's batch read of the state and its corrections).
    const sent: { command: string; stateBytes?: number }[] = [];
    let recording = false;
    table.doc.middlewareStack.add(
      (next, context) => async (args) => {
        const entry: (typeof sent)[number] = { command: String(context.commandName) };
        if (recording) sent.push(entry);
        const out = await next(args);
        const output = out.output as {
          Item?: { state?: Uint8Array };
          Responses?: Record<string, { state?: Uint8Array }[]>;
        };
        const state =
          output.Item?.state ??
          Object.values(output.Responses ?? {})
            .flat()
            .find((i) => i.state)?.state;
        if (state) entry.stateBytes = state.byteLength;
        return out;
      },
      { step: 'initialize', name: 'benchReadCommands' },
    );

    // Populate: each team's journey of each shape is lived once by the domain's rules; every journey
    // is one of those under its own ids, written by the worker's recordSnapshot (JSON, gzip, a
    // conditional put), `populateConcurrency` at a time.
    const programme = recordProgramme(teams, coordinatorsPerTeam);
    const now = Date.now();
    const templates: JourneySnapshot[][] = Array.from({ length: teams }, (_, t) =>
      SHAPES.map((_shape, k) => recordedTemplate(livedJourney(programme, recordTeam(t), k, t + k, now))),
    );
    const journeyAt = (i: number) => asJourney(templates[i % teams]![shapeOf(Math.floor(i / teams))]!, programme.id, i);
    const store = createJourneyActivities({ doc: table.doc, tableName: table.tableName });
    ctx.log(`read: recording ${journeys} journeys (${SHAPES.length} shapes × ${teams} teams) with recordSnapshot`);
    const t0 = performance.now();
    let written = 0;
    await pool(journeys, populateConcurrency, async (i) => {
      await store.recordSnapshot(journeyAt(i));
      written += 1;
      if (written % 20_000 === 0)
        ctx.log(`read: ${written} recorded (${round(written / ((performance.now() - t0) / 1000), 0)}/s)`);
    });
    const populateSeconds = round((performance.now() - t0) / 1000, 1);
    ctx.log(`read: recorded ${journeys} journeys in ${populateSeconds} s`);

    const api = await startApi({
      programmes: ctx.programmes,
      client: new Client({ connection: temporal.connection }),
      doc: table.doc,
      tableName: table.tableName,
      pseudonymKey: ctx.stack.pseudonymKey,
      connection: temporal.connection,
    });
    try {
      const tokens = await Promise.all(
        Array.from({ length: teams }, (_, t) => api.token(`${recordTeam(t)}-coord-1`, 'coordinator', [recordTeam(t)])),
      );
      const pick = () => Math.floor(ctx.random() * journeys);

      // The counter counts: a query through the API's connection is seen (here of a workflow that
      // does not exist, so it changes nothing). Without this a broken counter would report 0.
      const queriesBefore = temporal.count('QueryWorkflow');
      await new Client({ connection: temporal.connection }).workflow
        .getHandle('bench-read-counter-probe')
        .query('journey')
        .catch(() => undefined);
      const probeQueriesSeen = temporal.count('QueryWorkflow') - queriesBefore;
      if (probeQueriesSeen < 1)
        throw new Error('the Temporal call counter did not see a query sent through it; it would count nothing');

      // `logged` is the floor's GetItem with the access log's PutItem beside it, as the API sends
      // them: what DynamoDB Local alone takes for a logged read, HTTP and the view left out.
      type Kind = 'read' | 'floor' | 'logged';
      const timings: Record<Kind, number[]> = { read: [], floor: [], logged: [] };
      const commandsOf: Record<Kind, (typeof sent)[]> = { read: [], floor: [], logged: [] };
      const accessLog = createRecordReads(table.doc, table.tableName);
      const responseBytes: number[] = [];
      const phases = new Map<string, number>();
      const one = async (kind: Kind) => {
        const i = pick();
        const id = journeyIdOf(programme.id, i);
        const before = sent.length;
        let elapsed: number | undefined;
        const t = performance.now();
        if (kind === 'floor' || kind === 'logged') {
          const [{ Item }] = await Promise.all([
            table.doc.send(
              new GetCommand({ TableName: table.tableName, Key: keys.journeyState(id), ConsistentRead: true }),
            ),
            kind === 'logged'
              ? accessLog.recordAccess({
                  patientId: `bench-${i}`,
                  journeyId: id,
                  by: 'bench',
                  role: 'coordinator',
                  route: 'GET /journeys/{id}',
                  outcome: 'requested',
                  at: new Date().toISOString(),
                })
              : undefined,
          ]);
          if (!Item) throw new Error(`no recorded state for ${id}`);
        } else {
          // Timed to the answer's last byte, as a browser or integration engine receives it; what
          // the bench then does to check it (parse 20–80 KB of JSON) is not the API's time.
          const r = await fetch(`${api.base}/journeys/${id}`, {
            headers: { authorization: `Bearer ${tokens[i % teams]!}` },
          });
          const text = await r.text();
          elapsed = performance.now() - t;
          if (r.status !== 200) throw new Error(`GET /journeys/${id}: ${r.status} ${text.slice(0, 200)}`);
          const body = JSON.parse(text) as { id?: string; phase?: string; timeline?: unknown[] };
          const expected = journeyAt(i);
          if (body.id !== id || body.phase !== expected.phase || body.timeline?.length !== expected.timeline.length)
            throw new Error(`GET /journeys/${id} answered another journey: ${text.slice(0, 200)}`);
          responseBytes.push(Buffer.byteLength(text));
          phases.set(body.phase, (phases.get(body.phase) ?? 0) + 1);
        }
        timings[kind].push(elapsed ?? performance.now() - t);
        commandsOf[kind].push(sent.slice(before));
      };
      // Warm up, then interleave the two so they share the machine's moments.
      const kinds = ['read', 'floor', 'logged'] as const;
      for (let i = 0; i < 20; i += 1) for (const kind of kinds) await one(kind);
      for (const kind of kinds) {
        timings[kind] = [];
        commandsOf[kind] = [];
      }
      responseBytes.length = 0;
      phases.clear();
      const temporalBefore = new Map(temporal.calls);
      sent.length = 0;
      recording = true;
      for (let i = 0; i < requests; i += 1) for (const kind of kinds) await one(kind);
      recording = false;
      const temporalDuring = Object.fromEntries(
        [...temporal.calls]
          .map(([method, n]) => [method, n - (temporalBefore.get(method) ?? 0)] as const)
          .filter(([, n]) => n > 0),
      );
      const temporalQueries = temporalDuring.QueryWorkflow ?? 0;
      const temporalCalls = Object.values(temporalDuring).reduce((a, b) => a + b, 0);

      // The API's read without HTTP: the record read (batch read, gunzip, JSON) and the view.
      const reads = createRecordReads(table.doc, table.tableName);
      const direct: number[] = [];
      for (let i = 0; i < Math.min(requests, 200); i += 1) {
        const t = performance.now();
        const snapshot = await reads.journeySnapshot(journeyIdOf(programme.id, pick()));
        JSON.stringify(journeyDetail(stateOf(snapshot!), Date.now()));
        direct.push(performance.now() - t);
      }

      const perRead = commandsOf.read.map((cs) => cs.length);
      const byName: Record<string, number> = {};
      for (const cs of commandsOf.read) for (const c of cs) byName[c.command] = (byName[c.command] ?? 0) + 1;
      const stateBytes = commandsOf.read.flatMap((cs) => cs.flatMap((c) => (c.stateBytes ? [c.stateBytes] : [])));
      const shapes = SHAPES.map((shape, k) => {
        const json = JSON.stringify(templates[0]![k]!);
        return {
          shape: shape.name,
          share: shape.share,
          timelineEntries: templates[0]![k]!.timeline.length,
          stateJsonBytes: Buffer.byteLength(json),
          stateGzipBytes: gzipSync(json).byteLength,
        };
      });

      const read = summarise(timings.read);
      const floor = summarise(timings.floor);
      const ratio = round(read.p99 / Math.max(floor.p99, 0.01), 2);
      const temporalQueriesPerRead = round(temporalQueries / requests, 3);
      const dynamodbCommandsPerRead = round(mean(perRead), 2);
      ctx.log(
        `read: GET /journeys/{id} p50 ${read.p50} ms, p99 ${read.p99} ms · floor GetItem p50 ${floor.p50} ms, p99 ${floor.p99} ms · ratio ${ratio} · Temporal queries per read ${temporalQueriesPerRead} · DynamoDB commands per read ${dynamodbCommandsPerRead}`,
      );
      return {
        description: `GET /journeys/{id} over HTTP (a co-ordinator of the journey's team), ${requests} reads of journeys picked at random from ${journeys} recorded by recordSnapshot (${SHAPES.length} shapes lived by the domain, ${teams} teams), interleaved with the floor.`,
        headline: { metric: 'GET /journeys/{id} p99', value: read.p99, unit: 'ms', latencyMs: read },
        floor: {
          what: "one consistent GetItem of a journey's recorded state on the same DynamoDB Local through the same client (p99)",
          value: floor.p99,
          unit: 'ms',
          latencyMs: floor,
        },
        ratio,
        ratioMeaning: 'read p99 ÷ GetItem p99 (lower is better)',
        target: {
          text: 'p99 ≤ 2× the GetItem floor, 0 Temporal queries per read',
          met: ratio <= 2 && temporalQueries === 0,
        },
        journeys,
        populateSeconds,
        populatePerSecond: round(journeys / populateSeconds, 0),
        populateConcurrency,
        temporalQueriesPerRead,
        temporalCallsPerRead: round(temporalCalls / requests, 3),
        temporalCallsDuringReads: temporalDuring,
        temporalCounterCheck: { probeQueriesSeen },
        dynamodbCommandsPerRead,
        dynamodbCommandsPerReadMax: Math.max(0, ...perRead),
        dynamodbCommandsByName: byName,
        stateGzipBytes: { mean: round(mean(stateBytes), 0), max: Math.max(0, ...stateBytes) },
        responseBytes: { mean: round(mean(responseBytes), 0), max: Math.max(0, ...responseBytes) },
        phasesRead: Object.fromEntries([...phases].sort(([a], [b]) => a.localeCompare(b))),
        shapes,
        recordReadDirectMs: summarise(direct),
        getWithAccessLogPutMs: summarise(timings.logged),
      };
    } finally {
      await api.close();
    }
  } finally {
    await temporal.connection.close();
    await table.service.stop();
  }
}
