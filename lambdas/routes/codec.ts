/**
 * The Temporal remote codec: the Temporal Web UI (and CLI) decode history through these, with a
 * break-glass codec session (routes/session.ts): the cookie from the browser, the token from the CLI.
 */
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import type { Role } from '../auth.js';
import { responses } from '../responses.js';
import { json, problem, validationProblem, type Route } from './shared.js';

/** Where the codec lives; its cookie is scoped to this path. */
export const CODEC_PREFIX = '/codec';

/** Who may break glass and decode: the roles that look into stuck journeys. */
export const CODEC_ROLES: Role[] = ['ops', 'admin'];

/** Temporal's JSON form of payloads: metadata values and data as base64. */
export const codecBody = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), z.string()).default({}), data: z.string().default('') }))
    .max(1000),
});

export const codecRoutes: Route[] = (['decode', 'encode'] as const).map((op): Route => ({
  method: 'POST',
  path: `${CODEC_PREFIX}/${op}`,
  summary: `Temporal remote codec: ${op} payloads (for the Temporal Web UI and CLI)`,
  roles: CODEC_ROLES,
  codecSession: true,
  body: [{ contentType: 'application/json', schema: codecBody }],
  // Temporal limits one payload to 2 MB; encrypted and in base64 it is about a third larger.
  maxBodyBytes: 4 * 1024 * 1024,
  responses: {
    200: json('{payloads}', responses.codec),
    400: 'not a payloads document',
    404: 'payload encryption is off',
    422: 'a payload could not be opened',
  },
  handler: async (ctx, deps) => {
    if (!deps.codec)
      return problem(ctx, 404, 'Not found', 'Payload encryption is off (CAREPATH_CODEC_KEYS is not set).');
    const parsed = codecBody.safeParse(await ctx.req.json().catch(() => undefined));
    if (!parsed.success) return validationProblem(ctx, parsed.error);
    const payloads = parsed.data.payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(p.data, 'base64'),
    }));
    let result: Payload[];
    try {
      // People's codec: it opens what carepath sealed, and seals unsigned (temporal/payloadCodec.ts).
      result = await deps.codec.forPeople()[op](payloads);
    } catch (error) {
      return problem(ctx, 422, 'Unprocessable', `a payload could not be ${op}d: ${(error as Error).message}`);
    }
    console.log(
      JSON.stringify({ level: 'info', msg: 'codec', op, by: ctx.get('caller').sub, payloads: result.length }),
    );
    return ctx.json({
      payloads: result.map((p) => ({
        metadata: Object.fromEntries(
          Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
        ),
        data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
      })),
    });
  },
}));
