/**
 * The caller's inbox: reminders, overdue notices and escalations, and acknowledging them.
 */
import { withPeople } from '../people.js';
import { responses } from '../responses.js';
import { cursorsOf, EVERYONE_SIGNED_IN, isInvalidKey, json, pageLimit, problem, type Route } from './shared.js';

/** An item's id in the API: its read-model key (created-at and notification), as base64url. */
const inboxId = (createdAt: string, notificationId: string) =>
  Buffer.from(`${createdAt}#${notificationId}`).toString('base64url');

export const inboxRoutes: Route[] = [
  {
    method: 'GET',
    path: '/inbox',
    summary: "The caller's reminders, overdue notices and escalations",
    roles: EVERYONE_SIGNED_IN,
    query: ['limit', 'cursor'],
    responses: { 200: json('{items, nextCursor?}', responses.inbox), 400: 'a bad cursor' },
    handler: async (ctx, deps) => {
      const caller = ctx.get('caller');
      const list = `GET /inbox ${caller.sub}`;
      const cursor = cursorsOf(deps).open(ctx.req.query('cursor'), list);
      if (cursor === false) return problem(ctx, 400, 'Invalid request', 'cursor: not a cursor this API gave out.');
      const page = await deps.read
        .inbox(caller.sub, pageLimit(ctx.req.query('limit')), cursor)
        .catch((error: unknown) => {
          if (isInvalidKey(error)) return undefined;
          throw error;
        });
      if (!page) return problem(ctx, 400, 'Invalid request', 'cursor: not a cursor this API gave out.');
      const items = await withPeople(deps.read, caller, page.items, deps.now(), (i) => i.journeyId);
      return ctx.json({
        items: items.map((i) => ({
          id: inboxId(i.createdAt, i.id),
          journeyId: i.journeyId,
          kind: i.kind,
          deadline: i.deadline,
          level: i.level,
          dueAt: i.dueAt ?? null,
          createdAt: i.createdAt,
          message: i.message,
          ...(i.person ? { person: i.person } : {}),
          ...(i.deliveredAt ? { deliveredAt: i.deliveredAt } : {}),
          ...(i.ackedAt ? { ackedAt: i.ackedAt } : {}),
        })),
        ...(page.nextCursor ? { nextCursor: cursorsOf(deps).seal(page.nextCursor, list) } : {}),
      });
    },
  },
  {
    method: 'POST',
    path: '/inbox/{id}/ack',
    summary: 'Acknowledge an inbox item',
    roles: EVERYONE_SIGNED_IN,
    responses: { 204: 'acknowledged', 404: 'no such item' },
    handler: async (ctx, deps) => {
      const decoded = Buffer.from(ctx.req.param('id') ?? '', 'base64url').toString();
      const split = decoded.indexOf('#');
      const ok =
        split > 0 &&
        decoded.length <= 1024 &&
        (await deps.read
          .acknowledge(ctx.get('caller').sub, decoded.slice(0, split), decoded.slice(split + 1), deps.now())
          .catch((error: unknown) => {
            if (isInvalidKey(error)) return false;
            throw error;
          }));
      return ok ? ctx.body(null, 204) : problem(ctx, 404, 'Not found', 'You have no such inbox item.');
    },
  },
];
