/**
 * The IAM policy on the table is built from lists in cdk/data.ts (`tableActions`, `apiWrites`,
 * `APPEND_ONLY_KEYS`, `EXPIRING_KEYS`); these tests prove the lists right against what the code
 * really sends. The whole platform runs (dev server, DynamoDB Local, worker, API), the API with a
 * DynamoDB client of its own, and a middleware on each client records every request: its IAM
 * action, and for a write the item's partition key and the attribute names it writes. A
 * representative day of API operations must stay inside what IAM allows it — so a new write
 * partition, action or attribute without its IAM change fails here — and must use every partition
 * the lists allow (no grant left over). Every write carrying the TTL attribute, the API's or the
 * worker's, must be to a partition allowed to expire.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { TTL_ATTRIBUTE } from '../../activities/table.js';
import { apiWrites, APPEND_ONLY_KEYS, EXPIRING_KEYS, tableActions, type WriteScope } from '../../cdk/data.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { FHIR_SYSTEMS } from '../../lambdas/fhirIntake.js';
import { useApiStack } from '../support/apiStack.js';
import { currentTable } from '../support/dynamoDbLocal.js';

const INTAKE_PER_MINUTE = 4;
const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'), {
  rateLimits: { intakePerMinute: INTAKE_PER_MINUTE, adtPerMinute: 100 },
});

/** One request as IAM authorises it: a transaction is one authorisation per item. */
interface Request {
  action: string;
  /** The item's partition key (writes only). */
  pk?: string;
  /** Attribute names the write sets or names, the key's included (`dynamodb:Attributes`). */
  attributes: string[];
}

type Low = Record<string, unknown>;
const pkOf = (key: Low | undefined) => ((key?.pk as { S?: string } | undefined)?.S ?? String(key?.pk)) as string;

/** Attribute names an update expression writes or reads, resolved through its names map. */
function namesIn(expression: string | undefined, names: Record<string, string> | undefined): string[] {
  if (!expression) return [];
  const words = expression
    .replace(/:\w+/g, ' ')
    .replace(/\b[a-z_]+\s*\(/g, ' (')
    .match(/#?[A-Za-z_]\w*/g);
  return (words ?? [])
    .filter((w) => !/^(SET|REMOVE|ADD|DELETE|AND|OR|NOT)$/i.test(w))
    .map((w) => (w.startsWith('#') ? (names?.[w] ?? w) : w));
}

const put = (p: Low, action = 'PutItem'): Request => ({
  action,
  pk: pkOf(p.Item as Low),
  attributes: Object.keys(p.Item as Low),
});
const update = (u: Low): Request => ({
  action: 'UpdateItem',
  pk: pkOf(u.Key as Low),
  attributes: [
    ...Object.keys(u.Key as Low),
    ...namesIn(u.UpdateExpression as string, u.ExpressionAttributeNames as Record<string, string>),
  ],
});
const keyed =
  (action: string) =>
  (d: Low): Request => ({
    action,
    pk: pkOf(d.Key as Low),
    attributes: Object.keys(d.Key as Low),
  });

/** The authorisations a command needs, from its (marshalled) input. */
function requestsOf(command: string, input: Low): Request[] {
  const action = command.replace(/Command$/, '');
  switch (action) {
    case 'PutItem':
      return [put(input)];
    case 'UpdateItem':
      return [update(input)];
    case 'DeleteItem':
      return [keyed('DeleteItem')(input)];
    case 'TransactWriteItems':
      return (input.TransactItems as Low[]).map((t) => {
        if (t.Put) return put(t.Put as Low);
        if (t.Update) return update(t.Update as Low);
        if (t.Delete) return keyed('DeleteItem')(t.Delete as Low);
        return keyed('ConditionCheckItem')(t.ConditionCheck as Low);
      });
    case 'BatchWriteItem':
      return Object.values(input.RequestItems as Record<string, Low[]>)
        .flat()
        .map((r) =>
          r.PutRequest ? put(r.PutRequest as Low, 'BatchWriteItem') : keyed('BatchWriteItem')(r.DeleteRequest as Low),
        );
    default:
      return [{ action, attributes: [] }];
  }
}

/** Records every authorisation a client's requests need, as it sends them. */
function recordRequests(doc: DynamoDBDocumentClient, name: string): Request[] {
  const seen: Request[] = [];
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      seen.push(...requestsOf(String(context.commandName), args.input as Low));
      return next(args);
    },
    // After the document client has marshalled the input: what goes on the wire.
    { step: 'build', name },
  );
  return seen;
}

/** IAM's `StringLike`: `*` is any run of characters. */
const like = (value: string, patterns: readonly string[]) =>
  patterns.some((p) =>
    new RegExp(
      `^${p
        .split('*')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    ).test(value),
  );

/** Why IAM, as cdk/data.ts builds it, would refuse this request of a role; undefined if it allows it. */
function refusal(actions: readonly string[], scope: WriteScope | undefined, r: Request): string | undefined {
  if (!actions.includes(r.action)) return `${r.action} is not granted`;
  // Reads, and a transaction's condition checks, are granted anywhere.
  if (r.pk === undefined || r.action === 'ConditionCheckItem') return undefined;
  const partitions = scope?.partitions[r.action as keyof WriteScope['partitions']];
  if (scope && !partitions) return `${r.action} may not write`;
  if (partitions && !like(r.pk, partitions)) return `${r.action} may not write ${r.pk}`;
  if (/Update|Delete/.test(r.action) && like(r.pk, APPEND_ONLY_KEYS)) return `${r.pk} is append-only`;
  if (r.action !== 'DeleteItem' && r.attributes.includes(TTL_ATTRIBUTE) && !like(r.pk, EXPIRING_KEYS))
    return `${r.pk} may not expire`;
  return undefined;
}

const describeRequest = (r: Request) => `${r.action} ${r.pk ?? ''} [${r.attributes.join(', ')}]`;
const refused = (actions: readonly string[], scope: WriteScope | undefined, requests: Request[]) =>
  requests.flatMap((r) => {
    const why = refusal(actions, scope, r);
    return why ? [`${describeRequest(r)}: ${why}`] : [];
  });

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';

describe('what the API and the worker write, against the IAM lists', () => {
  it('would refuse a write outside the lists (the checker is not blind)', () => {
    const api = (r: Request) => refusal(tableActions.api, apiWrites, r);
    expect(api({ action: 'PutItem', pk: 'JOURNEY#j1', attributes: ['pk', 'sk', 'type'] })).toMatch(/may not write/);
    // Nothing of a journey's partition, where its audit trail is: not a mark beside an audit item either.
    for (const action of ['UpdateItem', 'DeleteItem'])
      expect(api({ action, pk: 'JOURNEY#j1', attributes: ['pk', 'sk', 'enteredInError'] }), action).toMatch(
        /may not write/,
      );
    // A mark is an attribute set on the journey's corrections item; the item is never put whole or deleted.
    expect(api({ action: 'UpdateItem', pk: 'CORRECTION#j1', attributes: ['pk', 'sk', 'mark-3'] })).toBeUndefined();
    for (const action of ['PutItem', 'DeleteItem'])
      expect(api({ action, pk: 'CORRECTION#j1', attributes: ['pk', 'sk'] }), action).toMatch(/may not write/);
    expect(api({ action: 'UpdateItem', pk: 'CORRECTION#j1', attributes: ['pk', 'sk', TTL_ATTRIBUTE] })).toMatch(
      /may not expire/,
    );
    expect(api({ action: 'ConditionCheckItem', pk: 'JOURNEY#j1', attributes: ['pk', 'sk'] })).toBeUndefined();
    expect(api({ action: 'UpdateItem', pk: 'ACCESS#p1', attributes: ['pk', 'sk'] })).toBeDefined();
    expect(api({ action: 'DeleteItem', pk: 'PATIENT#p1', attributes: ['pk', 'sk'] })).toBeDefined();
    expect(api({ action: 'BatchWriteItem', pk: 'STAFF#s1', attributes: ['pk', 'sk'] })).toBeDefined();
    expect(
      api({ action: 'UpdateItem', pk: 'RATE#intake#gp', attributes: ['pk', 'sk', TTL_ATTRIBUTE] }),
    ).toBeUndefined();
    expect(
      refusal(tableActions.worker, undefined, { action: 'PutItem', pk: 'JOURNEY#j1', attributes: [TTL_ATTRIBUTE] }),
    ).toMatch(/may not expire/);
  });

  it(
    'a day of API operations writes only what IAM allows the API, using every partition it allows; every expiring write is to a partition that may expire',
    { timeout: 120_000 },
    async () => {
      const { call, token, apiDoc } = api.get();
      const fromApi = recordRequests(apiDoc, 'recordApiRequests');
      const fromWorker = recordRequests(currentTable().doc, 'recordWorkerRequests');

      const gp = await token('gp-writes', 'referrer');
      const raj = await token('lead-raj', 'team-lead', ['south-devon-1']);
      const ana = await token('coord-ana', 'coordinator', ['south-devon-1']);
      const admin = await token('admin-writes', 'admin');
      const nhsNumber = '9434765919';

      // A referral, and a FHIR one (the same person: merged).
      const referral = {
        patient: { nhsNumber, givenName: 'Wren', familyName: 'Ites', birthDate: '1940-03-03', postcode: 'TQ2 2BB' },
        programme: 'frailty-virtual-ward',
        teamId: 'south-devon-1',
        source: 'gp',
        reason: 'Falls at home',
        urgency: 'routine',
        conditions: ['copd'],
        admissionsLast12Months: 1,
        consent: { given: true, recordedBy: 'Dr Ng' },
      };
      const made = await call('POST', '/referrals', { token: gp, json: referral });
      expect(made.status).toBe(202);
      const { journeyId } = made.body as { journeyId: string };
      const path = `/journeys/${journeyId}`;
      const fhir = await call('POST', '/referrals', {
        token: await token('tie-writes', 'integration'),
        contentType: 'application/fhir+json',
        body: JSON.stringify({
          resourceType: 'ServiceRequest',
          status: 'active',
          intent: 'order',
          priority: 'routine',
          subject: { reference: '#pat1' },
          contained: [
            {
              resourceType: 'Patient',
              id: 'pat1',
              identifier: [{ system: NHS, value: '9434765870' }],
              name: [{ family: 'Okafor', given: ['Grace'] }],
              birthDate: '1936-02-11',
              address: [{ postalCode: 'LS6 3AB' }],
            },
          ],
          code: { coding: [{ system: FHIR_SYSTEMS.programme, code: 'complex-mental-health' }] },
          category: [{ coding: [{ system: FHIR_SYSTEMS.referralSource, code: 'hospital' }] }],
          requester: { display: 'Leeds Teaching Hospitals discharge team' },
          reasonCode: [{ text: 'Discharged after a crisis admission', coding: [{ display: 'psychosis' }] }],
          extension: [{ url: FHIR_SYSTEMS.consent, valueBoolean: true }],
        }),
      });
      expect(fhir.status).toBe(202);

      // An ADT message from a sender for its own facility.
      const adt = [
        'MSH|^~\\&|PAS|RA9^Hospital^L|CAREPATH|ICS|20261014093000||ADT^A01^ADT_A01|TOR-WRITES-1|P|2.4',
        'EVN|A01|20261014093000',
        `PID|1||${nhsNumber}^^^NHS^NH||Ites^Wren||19400303|F`,
        'PV1|1|I|WARD4^BED2^TOR',
      ].join('\r');
      const admitted = await call('POST', '/adt', {
        token: await token('tie-2', 'integration'),
        contentType: 'application/hl7-v2',
        body: adt,
      });
      expect(admitted.text).toMatch(/\rMSA\|AA\|TOR-WRITES-1/);

      // Triage, a contact, that contact marked entered in error, demographics amended, the record read.
      expect(
        (await call('POST', `${path}/triage`, { token: raj, json: { decision: 'accept', reason: 'ok' } })).status,
      ).toBe(200);
      const contact = await call('POST', `${path}/contacts`, {
        token: ana,
        json: { kind: 'routine', channel: 'visit', notes: 'Visited (wrong person)' },
      });
      expect(contact.status).toBe(200);
      const seq = (contact.body as { contacts: { seq: number }[] }).contacts.at(-1)!.seq;
      const reason = 'Recorded against the wrong person';
      expect(
        (await call('POST', `${path}/entries/${seq}/entered-in-error`, { token: ana, json: { reason } })).status,
      ).toBe(200);
      expect(
        (await call('POST', `${path}/demographics`, { token: ana, json: { phone: '01803 222222', reason } })).status,
      ).toBe(200);
      expect((await call('GET', `${path}/record`, { token: ana })).status).toBe(200);

      // The journey discussed at the team's MDT, and the meeting's record amended.
      const heldOn = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
      const mdt = await call('POST', '/teams/south-devon-1/mdt-meetings', {
        token: ana,
        json: {
          heldOn,
          attendees: ['coord-ana', 'lead-raj'],
          discussed: [{ journeyId, presenterId: 'coord-ana', decision: 'Carry on' }],
        },
      });
      expect(mdt.status).toBe(201);
      const { meetingId } = (mdt.body as { meeting: { meetingId: string } }).meeting;
      expect(
        (
          await call('POST', `/teams/south-devon-1/mdt-meetings/${meetingId}/amendments`, {
            token: raj,
            json: { attendees: ['coord-ana', 'lead-raj', 'coord-joe'], reason: 'Joe was there' },
          })
        ).status,
      ).toBe(201);

      // Operations break glass to decode the journey's history (kept for the IG lead).
      const ops = await token('ops-writes', 'ops');
      const breakGlass = { reason: 'INC-9: journey stuck in triage' };
      expect((await call('POST', '/auth/codec-session', { token: ops, json: breakGlass })).status).toBe(201);

      // An inbox item acknowledged (the triage reminder reached the lead).
      type Inbox = { items: { id: string; journeyId: string }[] };
      let item: Inbox['items'][number] | undefined;
      for (let i = 0; i < 300 && !item; i += 1) {
        item = ((await call('GET', '/inbox', { token: raj })).body as Inbox).items.find(
          (x) => x.journeyId === journeyId,
        );
        if (!item) await new Promise((r) => setTimeout(r, 100));
      }
      expect(item).toBeDefined();
      expect((await call('POST', `/inbox/${item!.id}/ack`, { token: raj })).status).toBe(204);

      // The staff directory: a joiner, moved between teams, away and back.
      const joiner = { name: 'Wyn Writes', roles: ['coordinator'], teams: ['south-devon-1'] };
      expect((await call('PUT', '/staff/coord-wyn', { token: admin, json: joiner })).status).toBe(200);
      expect(
        (await call('PUT', '/staff/coord-wyn', { token: admin, json: { ...joiner, teams: ['exeter-1'] } })).status,
      ).toBe(200);
      const day = 86_400_000;
      const away = await call('POST', '/staff/coord-wyn/absences', {
        token: admin,
        json: { from: new Date(Date.now() + day).toISOString(), to: new Date(Date.now() + 3 * day).toISOString() },
      });
      expect(away.status).toBe(201);
      const { absenceId } = away.body as { absenceId: string };
      expect((await call('DELETE', `/staff/coord-wyn/absences/${absenceId}`, { token: admin })).status).toBe(204);

      // One caller's flood of referrals, cut at the limit.
      const flood = await token('gp-flood', 'referrer');
      const statuses: number[] = [];
      for (let i = 0; i <= INTAKE_PER_MINUTE; i += 1)
        statuses.push((await call('POST', '/referrals', { token: flood, json: {} })).status);
      expect(statuses).toContain(429);

      // /health describes the table.
      expect((await call('GET', '/health')).status).toBe(200);

      expect(refused(tableActions.api, apiWrites, fromApi)).toEqual([]);
      // Exactly the partitions the lists allow: each is written, none is left over.
      const used = (action: string, patterns: readonly string[]) =>
        patterns.filter((p) => fromApi.some((r) => r.action === action && r.pk && like(r.pk, [p])));
      for (const [action, patterns] of Object.entries(apiWrites.partitions))
        expect(used(action, patterns), action).toEqual(patterns);
      expect(new Set(fromApi.map((r) => r.action))).toEqual(new Set(tableActions.api));

      // The worker's writes while it ran the journeys: none expires anything it may not.
      expect(fromWorker.some((r) => r.pk?.startsWith('JOURNEY#') && r.attributes.includes('type'))).toBe(true);
      // The API writes nothing in a journey's partition, where its audit trail is.
      const writes = fromApi.filter((r) => r.action !== 'ConditionCheckItem');
      expect(writes.filter((r) => r.pk?.startsWith('JOURNEY#')).map(describeRequest)).toEqual([]);
      expect(refused(tableActions.worker, undefined, fromWorker)).toEqual([]);
      const expiring = [...fromApi, ...fromWorker].filter((r) => r.attributes.includes(TTL_ATTRIBUTE));
      expect(expiring.map((r) => r.pk!.split('#')[0]).sort()).toEqual(expect.arrayContaining(['ADT', 'RATE']));
      for (const r of expiring) expect(like(r.pk!, EXPIRING_KEYS), describeRequest(r)).toBe(true);
    },
  );
});
