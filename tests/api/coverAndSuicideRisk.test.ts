/**
 * Through the API, on the Temporal dev server and DynamoDB Local with the real worker: a team lead
 * covering a co-ordinator records their work, audited as cover (HAZ-07); and a risk of suicide
 * flagged on a referral brings the post-discharge follow-up to the programme's 48 hours (HAZ-08).
 */
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { useApiStack } from '../support/apiStack.js';

const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'));

interface Detail {
  phase: string;
  coordinatorId: string | null;
  deadlines: { name: string; status: string; dueAt: string }[];
  timeline: { type: string; by: string; detail: string }[];
}

describe('cover and risk', () => {
  it('a team lead covering records the assessment and a contact; each is audited as cover for the co-ordinator', async () => {
    const { call, token } = api.get();
    const r = await call('POST', '/referrals', {
      token: await token('gp-1', 'referrer'),
      json: {
        patient: {
          nhsNumber: '9434766001',
          givenName: 'Ivy',
          familyName: 'Hale',
          birthDate: '1931-01-20',
          postcode: 'TQ2 5AB',
        },
        programme: 'frailty-virtual-ward',
        source: 'gp',
        reason: 'falls, heart failure, lives alone',
        urgency: 'routine',
        conditions: ['falls', 'heart failure', 'copd', 'dementia'],
        livesAlone: true,
        admissionsLast12Months: 3,
        consent: { given: true, recordedBy: 'GP' },
      },
    });
    expect(r).toMatchObject({ status: 202, body: { phase: 'assessment' } });
    const { journeyId } = r.body as { journeyId: string };
    const raj = await token('lead-raj', 'team-lead', ['south-devon-1']);
    const get = async () => (await call('GET', `/journeys/${journeyId}`, { token: raj })).body as Detail;
    await expect.poll(async () => (await get()).coordinatorId).toMatch(/^coord-/);
    const coordinatorId = (await get()).coordinatorId!;

    const assessed = await call('POST', `/journeys/${journeyId}/assessment`, {
      token: raj,
      json: { summary: 'assessed at home while the co-ordinator is on leave', needs: [] },
    });
    expect(assessed.status).toBe(200);
    const contact = await call('POST', `/journeys/${journeyId}/contacts`, {
      token: raj,
      json: { kind: 'routine', channel: 'phone' },
    });
    expect(contact.status).toBe(200);
    await expect
      .poll(async () => (await get()).timeline.filter((e) => e.by === 'lead-raj').map((e) => [e.type, e.detail]))
      .toEqual(
        expect.arrayContaining([
          ['assessment.recorded', expect.stringMatching(new RegExp(`\\(as cover for ${coordinatorId}\\)$`))],
          ['contact.recorded', expect.stringMatching(new RegExp(`\\(as cover for ${coordinatorId}\\)$`))],
        ]),
      );
  });

  it('a risk of suicide on the referral makes the follow-up after discharge due in 48 hours, not 72', async () => {
    const { call, token } = api.get();
    const nhs = '9434766028';
    const r = await call('POST', '/referrals', {
      token: await token('gp-1', 'referrer'),
      json: {
        patient: { nhsNumber: nhs, givenName: 'Kai', familyName: 'Moor', birthDate: '1990-06-02', postcode: 'LS6 2AB' },
        programme: 'complex-mental-health',
        source: 'hospital',
        reason: 'inpatient on an acute mental health ward; overdose before admission',
        urgency: 'urgent',
        conditions: ['depression'],
        suicideRisk: true,
        consent: { given: true, recordedBy: 'ward nurse' },
      },
    });
    expect(r).toMatchObject({ status: 202, body: { phase: 'triage' } });
    const { journeyId } = r.body as { journeyId: string };
    const marcus = await token('lead-marcus', 'team-lead', ['cmht-north']);
    expect(
      (
        await call('POST', `/journeys/${journeyId}/triage`, {
          token: marcus,
          json: { decision: 'accept', reason: 'known risk' },
        })
      ).status,
    ).toBe(200);
    const feed = await token('tie-1', 'integration');
    const hl7 = (event: string, id: string, pv1: string) =>
      call('POST', '/adt', {
        token: feed,
        contentType: 'application/hl7-v2',
        body: [
          `MSH|^~\\&|PAS|RR8^Leeds^L|CAREPATH|ICS|20261014093000||ADT^${event}^ADT_A01|${id}|P|2.4`,
          `EVN|${event}|20261014093000`,
          `PID|1||${nhs}^^^NHS^NH||Moor^Kai||19900602|M`,
          pv1,
        ].join('\r'),
      });
    const discharged = '20261014093000'; // 09:30 BST = 08:30Z
    expect((await hl7('A01', 'MH-ADM', 'PV1|1|I|WARD2^BED1^LGI')).text).toMatch(/\rMSA\|AA\|/);
    const pv1 = ['PV1', '1', 'I', 'WARD2^BED1^LGI'];
    while (pv1.length <= 45) pv1.push('');
    pv1[37] = '19';
    pv1[45] = discharged;
    expect((await hl7('A03', 'MH-DIS', pv1.join('|'))).text).toMatch(/\rMSA\|AA\|/);
    const detail = async () => (await call('GET', `/journeys/${journeyId}`, { token: marcus })).body as Detail;
    await expect
      .poll(async () => (await detail()).deadlines.find((d) => d.name === 'post-discharge-contact')?.dueAt)
      .toBe('2026-10-16T08:30:00.000Z');
  });
});
