/**
 * The API about itself: whether it and its dependencies are up, and its OpenAPI document.
 */
import { responses } from '../responses.js';
import { json, type Route } from './shared.js';

export const systemRoutes: Route[] = [
  {
    method: 'GET',
    path: '/health',
    summary: 'Health of the API and its dependencies',
    roles: 'anyone',
    responses: {
      200: json('all up', responses.health),
      503: json('a dependency is down', responses.health),
    },
    handler: async (ctx, deps) => {
      const h = await deps.health().catch(() => ({ temporal: false, dynamodb: false }));
      const ok = h.temporal && h.dynamodb;
      return ctx.json(
        { status: ok ? 'ok' : 'degraded', temporal: h.temporal ? 'up' : 'down', dynamodb: h.dynamodb ? 'up' : 'down' },
        ok ? 200 : 503,
      );
    },
  },
  {
    method: 'GET',
    path: '/openapi.json',
    summary: 'This document',
    roles: 'anyone',
    responses: { 200: json('OpenAPI 3.1 document', responses.openapi) },
    handler: (ctx, deps) => ctx.json(deps.document as object),
  },
];
