/**
 * An MDT meeting through the API, on the real stack (dev server, DynamoDB Local, worker, API), for
 * a programme where whoever presents a case becomes its co-ordinator: bad input — an owner who is
 * not staff or has left, a journey not in the team, an action due in the past, a presenter with no
 * room — is problem+json and keeps nothing; a good meeting is kept, each journey says it was
 * discussed and is reassigned to its presenter, its action is a deadline whose reminder reaches
 * the owner's inbox (not the co-ordinator's), and marking it done meets it. A correction is an
 * amendment beside the meeting, which is never overwritten.
 */
import { describe, expect, it } from 'vitest';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { useApiStack } from '../support/apiStack.js';

const frailty = builtInProgrammes.find((p) => p.id === 'frailty-virtual-ward')!;
const programmes = parseProgrammes(
  {
    programmes: [
      {
        ...frailty,
        // An action due in 25 s: its reminder 20 s before, to its owner, within the test.
        escalation: [
          { at: '-PT20S', notify: 'coordinator', kind: 'reminder' },
          { at: 'PT0S', notify: 'coordinator', kind: 'overdue' },
          { at: 'P1D', notify: 'team-lead', kind: 'escalation' },
        ],
        mdt: { presenterBecomesCoordinator: true },
      },
    ],
  },
  'test',
);
const api = useApiStack(() => programmes);

type Journey = {
  id: string;
  coordinatorId: string | null;
  deadlines: { id: string; name: string; status: string; owner?: string }[];
  mdtDiscussions: { meetingId: string; presenterId: string }[];
  mdtActions: { id: string; ownerId: string; completedAt?: string }[];
  timeline: { type: string; detail: string }[];
};
type Problem = { status: number; detail: string; errors?: { path: string; message: string }[] };

const londonToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

describe('MDT meetings through the API', () => {
  it('refuses bad input whole, then keeps a meeting whose action reminds its owner and whose presenter becomes co-ordinator', async () => {
    const { call, token } = api.get();
    const gp = await token('gp-mdt', 'referrer');
    const ana = await token('coord-ana', 'coordinator', ['south-devon-1']);
    const joe = await token('coord-joe', 'coordinator', ['south-devon-1']);
    const raj = await token('lead-raj', 'team-lead', ['south-devon-1']);
    const admin = await token('admin-mdt', 'admin');
    const made = await call('POST', '/referrals', {
      token: gp,
      json: {
        patient: { nhsNumber: '9434765919', givenName: 'Mo', familyName: 'Deetee', birthDate: '1939-07-07' },
        programme: 'frailty-virtual-ward',
        teamId: 'south-devon-1',
        source: 'gp',
        reason: 'Falls, low mood',
        urgency: 'routine',
        conditions: ['copd'],
        admissionsLast12Months: 1,
        consent: { given: true, recordedBy: 'Dr Ng' },
      },
    });
    expect(made.status).toBe(202);
    const journeyId = (made.body as { journeyId: string }).journeyId;
    const path = `/journeys/${journeyId}`;
    expect(
      (await call('POST', `${path}/triage`, { token: raj, json: { decision: 'accept', reason: 'ok' } })).status,
    ).toBe(200);
    const assessed = await call('POST', `${path}/assessment`, { token: ana, json: { summary: 'Seen', needs: [] } });
    expect(assessed.status).toBe(200);
    const coordinator = (assessed.body as Journey).coordinatorId!;
    const presenter = coordinator === 'coord-ana' ? 'coord-joe' : 'coord-ana';
    // Two more co-ordinators join once the journey has its own: Fay with no room, and Gil, who has left.
    for (const [id, name] of [
      ['coord-full', 'Fay Full'],
      ['coord-gone', 'Gil Gone'],
    ])
      expect(
        (
          await call('PUT', `/staff/${id}`, {
            token: admin,
            json: { name, roles: ['coordinator'], teams: ['south-devon-1'], maxCaseload: 0 },
          })
        ).status,
      ).toBe(200);
    expect((await call('POST', '/staff/coord-gone/left', { token: admin })).status).toBe(200);

    const meeting = (change: Record<string, unknown> = {}, discussed: Record<string, unknown> = {}) => ({
      heldOn: londonToday(),
      attendees: ['coord-ana', 'coord-joe', 'lead-raj', 'coord-full'],
      guests: ['Dr Ng (GP)'],
      discussed: [
        {
          journeyId,
          presenterId: presenter,
          decision: 'Falls clinic referral; review medicines.',
          actions: [{ description: 'Review sedating medicines', ownerId: 'lead-raj', due: inSeconds(25) }],
          ...discussed,
        },
      ],
      ...change,
    });
    const record = (body: unknown, as = ana) =>
      call('POST', '/teams/south-devon-1/mdt-meetings', { token: as, json: body });
    const action = (over: Record<string, unknown>) => [
      { description: 'Review sedating medicines', ownerId: 'lead-raj', due: inSeconds(25), ...over },
    ];

    const refusals: [unknown, number, string][] = [
      [meeting({}, { actions: action({ ownerId: 'nobody' }) }), 422, 'nobody is not in the staff directory'],
      [meeting({}, { actions: action({ ownerId: 'coord-gone' }) }), 422, 'coord-gone left on'],
      [meeting({}, { actions: action({ ownerId: 'coord-lily' }) }), 422, 'coord-lily is not in team south-devon-1'],
      [meeting({}, { actions: action({ due: inSeconds(-60) }) }), 422, 'is due in the past'],
      [meeting({}, { journeyId: 'frailty-virtual-ward.nope.000000000000' }), 422, 'no journey'],
      [meeting({}, { presenterId: 'coord-full' }), 409, 'coord-full presented 1 case'],
      [meeting({}, { presenterId: 'lead-raj' }), 422, 'is not a co-ordinator in team south-devon-1'],
      [meeting({ heldOn: '2999-01-01' }), 422, 'cannot be in the future'],
      [meeting({ attendees: ['coord-ana'] }), 400, 'is not among the attendees'],
    ];
    for (const [body, status, says] of refusals) {
      const refused = await record(body);
      expect(refused.status, says).toBe(status);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect((refused.body as Problem).detail).toContain(says);
    }
    // Another team's co-ordinator records nothing here.
    const lily = await token('coord-lily', 'coordinator', ['exeter-1']);
    expect((await record(meeting(), lily)).status).toBe(403);
    // Nothing was kept, and the journey was told nothing.
    expect((await call('GET', '/teams/south-devon-1/mdt-meetings', { token: ana })).body).toEqual({ items: [] });
    expect(((await call('GET', path, { token: ana })).body as Journey).mdtDiscussions).toEqual([]);

    const recorded = await record(meeting());
    expect(recorded.status).toBe(201);
    const { meeting: kept, journeys } = recorded.body as {
      meeting: { meetingId: string };
      journeys: { journeyId: string; discussed: string; reassignedTo?: string; reassignment?: string }[];
    };
    expect(journeys).toEqual([{ journeyId, discussed: 'recorded', reassignedTo: presenter, reassignment: 'recorded' }]);

    // The journey: discussed, reassigned to its presenter, and an action owned by the lead.
    let journey = (await call('GET', path, { token: ana })).body as Journey;
    expect(journey.coordinatorId).toBe(presenter);
    expect(journey.mdtDiscussions).toEqual([
      expect.objectContaining({ meetingId: kept.meetingId, presenterId: presenter }),
    ]);
    expect(journey.timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['mdt.discussed', 'coordinator.reassigned']),
    );
    const [owned] = journey.mdtActions;
    expect(owned).toMatchObject({ ownerId: 'lead-raj' });
    expect(journey.deadlines.find((d) => d.name === `mdt-action:${owned!.id}`)).toMatchObject({
      status: 'open',
      owner: 'lead-raj',
    });

    // Within seconds the reminder reaches the owner — and not the co-ordinator.
    type Inbox = { items: { deadline: string; kind: string }[] };
    const ownerInbox = async () =>
      ((await call('GET', '/inbox', { token: raj })).body as Inbox).items.filter(
        (i) => i.deadline === `mdt-action:${owned!.id}`,
      );
    const until = Date.now() + 30_000;
    while ((await ownerInbox()).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 500));
    expect((await ownerInbox()).map((i) => i.kind)).toContain('reminder');
    const presenterToken = presenter === 'coord-ana' ? ana : joe;
    const presenterInbox = ((await call('GET', '/inbox', { token: presenterToken })).body as Inbox).items;
    expect(presenterInbox.filter((i) => i.deadline.startsWith('mdt-action:'))).toEqual([]);

    // Done: the deadline is met.
    const done = await call('POST', `${path}/mdt-actions/${owned!.id}/done`, {
      token: raj,
      json: { notes: 'Stopped' },
    });
    expect(done.status).toBe(200);
    journey = done.body as Journey;
    expect(journey.deadlines.find((d) => d.name === `mdt-action:${owned!.id}`)?.status).toBe('met');
    expect((await call('POST', `${path}/mdt-actions/${owned!.id}/done`, { token: raj, json: {} })).status).toBe(409);

    // A correction is an amendment: the meeting reads as amended, and says what it said before.
    const amended = await call('POST', `/teams/south-devon-1/mdt-meetings/${kept.meetingId}/amendments`, {
      token: raj,
      json: { decisions: [{ journeyId, decision: 'Falls clinic; medicines reviewed by the lead.' }], reason: 'typo' },
    });
    expect(amended.status).toBe(201);
    const read = (await call('GET', `/teams/south-devon-1/mdt-meetings/${kept.meetingId}`, { token: ana })).body as {
      discussed: { decision: string }[];
      amendments: { reason: string; by: string }[];
    };
    expect(read.discussed[0]!.decision).toBe('Falls clinic; medicines reviewed by the lead.');
    expect(read.amendments).toEqual([expect.objectContaining({ reason: 'typo', by: 'lead-raj' })]);
    expect(
      (
        await call('POST', `/teams/south-devon-1/mdt-meetings/${kept.meetingId}/amendments`, {
          token: raj,
          json: { decisions: [{ journeyId: 'other', decision: 'x' }], reason: 'typo' },
        })
      ).status,
    ).toBe(422);

    // The same meeting sent again with its Idempotency-Key tells no journey twice.
    const keyed = (key: string) =>
      call('POST', '/teams/south-devon-1/mdt-meetings', {
        token: ana,
        json: meeting({}, { presenterId: presenter, actions: [] }),
        headers: { 'idempotency-key': key },
      });
    expect((await keyed('mdt-1')).status).toBe(201);
    const again = await keyed('mdt-1');
    expect(again.status).toBe(200);
    // Each journey is told again, and answers with what it did the first time.
    expect((again.body as { journeys: unknown[] }).journeys).toEqual([{ journeyId, discussed: 'recorded' }]);
    journey = (await call('GET', path, { token: ana })).body as Journey;
    expect(journey.mdtDiscussions).toHaveLength(2);
  }, 120_000);
});
