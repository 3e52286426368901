/**
 * Finding a person: by NHS number (exact), or by name with date of birth. A person is found only
 * through a journey the searcher may see (their teams; for a service manager, the teams they
 * manage), so a search never tells anyone of a person outside their care. Every search is written
 * to the access log, whatever it found.
 */
import { z } from 'zod';
import { patientIdFor } from '../../activities/pseudonym.js';
import type { PatientJourney } from '../../activities/journeyRecord.js';
import type { PatientRecord } from '../../activities/readModel.js';
import { normaliseNhsNumber } from '../../domain/nhsNumber.js';
import { personShown, personViewOf } from '../../domain/person.js';
import { isoDate } from '../../domain/referral.js';
import { responses } from '../responses.js';
import { canSeeTeam, json, problem, type Route } from './shared.js';

const searchQuery = z.union([
  z.object({
    nhsNumber: z.string().refine((v) => normaliseNhsNumber(v) !== undefined, 'not a valid NHS number'),
  }),
  z.object({ name: z.string().trim().min(2).max(200), birthDate: isoDate }),
]);

export const patientRoutes: Route[] = [
  {
    method: 'GET',
    path: '/patients',
    summary: 'Find a person in your care: by NHS number, or by name and date of birth',
    roles: ['coordinator', 'team-lead', 'service-manager'],
    query: ['nhsNumber', 'name', 'birthDate'],
    responses: {
      200: json(
        '{items: [{person, journeys}]}: the people found, each with the journeys you may see',
        responses.patients,
      ),
      400: 'neither a valid NHS number, nor a name with a date of birth',
    },
    handler: async (ctx, deps) => {
      const caller = ctx.get('caller');
      const q = ctx.req.query();
      const parsed = searchQuery.safeParse(
        q.nhsNumber !== undefined ? { nhsNumber: q.nhsNumber } : { name: q.name, birthDate: q.birthDate },
      );
      if (!parsed.success)
        return problem(
          ctx,
          400,
          'Invalid request',
          'Search by nhsNumber (ten digits with a valid check digit), or by name (2 characters or more) with birthDate (YYYY-MM-DD).',
        );
      const by = 'nhsNumber' in parsed.data ? 'NHS number' : 'name and date of birth';
      // By NHS number: the person and their journeys in one keyed Query. By name: a day's births,
      // then each match's journeys.
      let candidates: { person: PatientRecord; journeys: PatientJourney[] }[];
      let searchedFor: string | undefined;
      if ('nhsNumber' in parsed.data) {
        searchedFor = patientIdFor(parsed.data.nhsNumber, deps.pseudonymKey);
        const found = await deps.read.personAndJourneys(searchedFor);
        candidates = found ? [found] : [];
      } else
        candidates = await Promise.all(
          (await deps.read.peopleNamed(parsed.data.name, parsed.data.birthDate)).map(async (person) => ({
            person,
            journeys: await deps.read.journeysOfPatient(person.patientId),
          })),
        );

      const now = deps.now();
      const at = now.toISOString();
      // Whoever searched, for whom, and when, found or not: the IG lead can ask either way. Each
      // person the search matched is logged; one outside the searcher's care also as refused. A
      // search by NHS number that matched no one is logged against the person searched for. The
      // log is written before the answer goes, beside the read of the journeys.
      const log = (patientId: string, outcome: 'requested' | 'refused') =>
        deps.read.recordAccess({
          patientId,
          by: caller.sub,
          role: caller.role,
          route: `GET /patients (by ${by})`,
          outcome,
          at,
        });
      if (candidates.length === 0) await log(searchedFor ?? 'search:name-and-birth-date', 'requested');
      const answered = await Promise.all(
        candidates.map(async ({ person, journeys: pointers }) => {
          // Their teams, or the teams of the programmes they manage (lambdas/routes/shared.ts).
          const visible = pointers.filter((j) => canSeeTeam(caller, j.teamId));
          if (visible.length === 0) {
            await Promise.all([log(person.patientId, 'requested'), log(person.patientId, 'refused')]);
            return [];
          }
          const [summaries] = await Promise.all([
            deps.read.journeys(visible.map((j) => j.journeyId)),
            log(person.patientId, 'requested'),
          ]);
          const journeys = [...summaries.values()]
            .map(({ patientId: _p, ...s }) => s)
            .sort((a, b) => b.openedAt.localeCompare(a.openedAt));
          return [{ person: personShown(person, personViewOf(caller.role), now)!, journeys }];
        }),
      );
      const items = answered.flat();
      return ctx.json({ items });
    },
  },
];
