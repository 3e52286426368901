/**
 * 8. Search: finding a person by NHS number (GET /patients?nhsNumber=…) through the HTTP API with
 * `search.people` people on record, each with a journey. A search is a keyed lookup (ADR 0009's
 * table): the NHS number's pseudonym, one Query of the person's partition for the profile and the
 * journey pointers, then the journeys' summaries (a batch read) beside the access log's PutItem.
 *
 * The people, their journey pointers and summaries are the items the API's and the worker's own
 * writers build (registerPatient, recordPatientJourney, projectJourney; their PutCommands are
 * captured) loaded 25 at a time with BatchWriteItem, into a DynamoDB Local of their own.
 *
 * The floor: one GetItem of a person's profile through the same client, interleaved with the
 * searches sample by sample. Every DynamoDB command a search sends is counted by name, so a Scan,
 * or a read that grows with the table, would show.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import { createRecordReads } from '../../activities/journeyRecord.js';
import { patientIdFor } from '../../activities/pseudonym.js';
import { createReadModel } from '../../activities/readModel.js';
import { keys } from '../../activities/table.js';
import type { BenchContext } from '../context.js';
import { capturingClient, loadItems, startApi, startTable } from '../stack.js';
import { round, summarise } from '../stats.js';

const DAY = 86_400_000;
const GIVEN = ['Ada', 'Bert', 'Cora', 'Dilys', 'Edna', 'Frank', 'Gwen', 'Harold', 'Ivy', 'Jack'];
const FAMILY = ['Ashworth', 'Bennett', 'Carew', 'Dunstan', 'Ellery', 'Foss', 'Greaves', 'Hockin', 'Isaac', 'Jory'];

export async function measureSearch(ctx: BenchContext) {
  const { people, teams, requests } = ctx.sizes.search;
  const table = await startTable(ctx.toolchain, 'bench-search');
  try {
    const sent: string[] = [];
    let recording = false;
    table.doc.middlewareStack.add(
      (next, context) => async (args) => {
        if (recording) sent.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'benchSearchCommands' },
    );

    // Load: every item as the real writers build it, captured, then written in batches.
    const capture = capturingClient();
    const patients = createReadModel(capture.doc, table.tableName);
    const pointers = createRecordReads(capture.doc, table.tableName);
    const summaries = createJourneyActivities({ doc: capture.doc, tableName: table.tableName });
    const nhsNumbers: string[] = [];
    const now = Date.now();
    ctx.log(`search: building ${people} people, each with a journey`);
    for (let i = 0; i < people; i += 1) {
      const nhsNumber = ctx.nhsNumber();
      nhsNumbers.push(nhsNumber);
      const patientId = patientIdFor(nhsNumber, ctx.stack.pseudonymKey);
      const teamId = `search-team-${i % teams}`;
      const journeyId = `bench-search.${patientId}.e1`;
      await patients.registerPatient({
        patientId,
        nhsNumber,
        givenName: GIVEN[i % GIVEN.length]!,
        familyName: FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length]!,
        birthDate: new Date(Date.UTC(1925, 0, 1) + (i % 20_000) * DAY).toISOString().slice(0, 10),
        postcode: `TQ${(i % 14) + 1} ${i % 10}AB`,
        phone: `07700 9${String(i % 100_000).padStart(5, '0')}`,
      });
      await pointers.recordPatientJourney({
        patientId,
        journeyId,
        programmeId: 'bench-search',
        teamId,
        referredAt: new Date(now - 30 * DAY).toISOString(),
      });
      await summaries.projectJourney({
        id: journeyId,
        patientId,
        programme: 'bench-search',
        teamId,
        phase: 'active',
        coordinatorId: `${teamId}-coord-1`,
        riskTier: 'medium',
        nextDueAt: new Date(now + ((i % 60) - 10) * DAY).toISOString(),
        nextDeadline: 'review',
        overdue: i % 60 < 10,
        lastReadmissionAt: null,
        revision: 1,
        openedAt: new Date(now - 30 * DAY).toISOString(),
        closedAt: null,
        closeReason: null,
      });
    }
    const t0 = performance.now();
    await loadItems(table, capture.items);
    const loadSeconds = round((performance.now() - t0) / 1000, 1);
    ctx.log(`search: loaded ${capture.items.length} items in ${loadSeconds} s`);

    const api = await startApi({
      programmes: ctx.programmes,
      client: ctx.stack.client,
      doc: table.doc,
      tableName: table.tableName,
      pseudonymKey: ctx.stack.pseudonymKey,
    });
    try {
      const tokens = await Promise.all(
        Array.from({ length: teams }, (_, t) =>
          api.token(`search-team-${t}-coord-1`, 'coordinator', [`search-team-${t}`]),
        ),
      );
      const pick = () => Math.floor(ctx.random() * people);
      type Kind = 'search' | 'floor';
      const timings: Record<Kind, number[]> = { search: [], floor: [] };
      const commandsOf: string[][] = [];
      const one = async (kind: Kind) => {
        const i = pick();
        const before = sent.length;
        const t = performance.now();
        if (kind === 'floor') {
          const { Item } = await table.doc.send(
            new GetCommand({
              TableName: table.tableName,
              Key: keys.patient(patientIdFor(nhsNumbers[i]!, ctx.stack.pseudonymKey)),
            }),
          );
          if (!Item) throw new Error(`no person ${i}`);
          timings.floor.push(performance.now() - t);
          return;
        }
        // Timed to the answer's last byte; the checks come after.
        const r = await fetch(`${api.base}/patients?nhsNumber=${nhsNumbers[i]!}`, {
          headers: { authorization: `Bearer ${tokens[i % teams]!}` },
        });
        const text = await r.text();
        timings.search.push(performance.now() - t);
        if (recording) commandsOf.push(sent.slice(before));
        if (r.status !== 200) throw new Error(`GET /patients: ${r.status} ${text.slice(0, 200)}`);
        const body = JSON.parse(text) as { items: { person: { nhsNumber: string }; journeys: unknown[] }[] };
        const [found, ...more] = body.items;
        if (!found || more.length > 0 || found.person.nhsNumber.replace(/ /g, '') !== nhsNumbers[i])
          throw new Error(`GET /patients found the wrong people: ${text.slice(0, 200)}`);
        if (found.journeys.length !== 1) throw new Error(`GET /patients lost the journey: ${text.slice(0, 200)}`);
      };
      const kinds = ['search', 'floor'] as const;
      for (let i = 0; i < 20; i += 1) for (const kind of kinds) await one(kind);
      timings.search = [];
      timings.floor = [];
      recording = true;
      for (let i = 0; i < requests; i += 1) for (const kind of kinds) await one(kind);
      recording = false;

      const byName: Record<string, number> = {};
      for (const cs of commandsOf) for (const c of cs) byName[c] = (byName[c] ?? 0) + 1;
      const perSearch = commandsOf.map((cs) => cs.length);
      const scans = byName.ScanCommand ?? 0;
      const search = summarise(timings.search);
      const floor = summarise(timings.floor);
      const ratio = round(search.p99 / Math.max(floor.p99, 0.01), 2);
      ctx.log(
        `search: GET /patients?nhsNumber p50 ${search.p50} ms, p99 ${search.p99} ms · floor GetItem p99 ${floor.p99} ms · ratio ${ratio} · commands per search ${round(perSearch.reduce((a, b) => a + b, 0) / Math.max(1, perSearch.length), 2)}`,
      );
      return {
        description: `GET /patients?nhsNumber=… over HTTP (a co-ordinator of the person's team), ${requests} searches for people picked at random from ${people} on record (each with a journey, in ${teams} teams), interleaved with the floor.`,
        headline: { metric: 'GET /patients?nhsNumber p99', value: search.p99, unit: 'ms', latencyMs: search },
        floor: {
          what: "one GetItem of a person's profile on the same DynamoDB Local through the same client (p99)",
          value: floor.p99,
          unit: 'ms',
          latencyMs: floor,
        },
        ratio,
        ratioMeaning: 'search p99 ÷ GetItem p99 (lower is better)',
        target: {
          text: 'p99 ≤ 3× the GetItem floor (a Query, then a batch read beside the access log), no Scan',
          met: ratio <= 3 && scans === 0,
        },
        people,
        itemsLoaded: capture.items.length,
        loadSeconds,
        dynamodbCommandsPerSearch: round(perSearch.reduce((a, b) => a + b, 0) / Math.max(1, perSearch.length), 2),
        dynamodbCommandsPerSearchMax: Math.max(0, ...perSearch),
        dynamodbCommandsByName: byName,
        scans,
      };
    } finally {
      await api.close();
    }
  } finally {
    await table.service.stop();
  }
}
