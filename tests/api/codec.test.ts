/**
 * With payload encryption on, Temporal holds only ciphertext: a history read straight from
 * Temporal shows none of the journey's content. Through the codec endpoint, operations staff can
 * read it by breaking glass (a reason, kept and alerted on, for 15 minutes); nobody else can.
 */
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { EncryptionCodec, newCodecKey, parseCodecKeys } from '../../temporal/payloadCodec.js';
import { useApiStack } from '../support/apiStack.js';

const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'), {
  codec: new EncryptionCodec(parseCodecKeys(`test1:${newCodecKey()}`)),
});

describe('payload encryption', () => {
  it('keeps Temporal blind, and decodes through the codec endpoint only in a break-glass session', async () => {
    const { call, token, rawClient } = api.get();
    const reason = 'Carer (wife) at breaking point after third fall';
    const made = await call('POST', '/referrals', {
      token: await token('gp-1', 'referrer'),
      json: {
        patient: {
          nhsNumber: '9434765919',
          givenName: 'Albert',
          familyName: 'Pennington',
          birthDate: '1938-07-21',
          postcode: 'EX4 4QJ',
        },
        programme: 'frailty-virtual-ward',
        source: 'gp',
        referrer: { name: 'Dr Shah', organisation: 'Exeter Road Surgery' },
        reason,
        urgency: 'urgent',
        conditions: ['falls', 'dementia'],
        consent: { given: true, recordedBy: 'Dr Shah' },
      },
    });
    expect(made.status).toBe(202);
    const { journeyId } = made.body as { journeyId: string };
    const workflowId = journeyId.slice(0, journeyId.lastIndexOf('.'));

    // The referral is answered as the journey starts; let it take the referral in and write its first records.
    await expect
      .poll(async () => (await rawClient.workflow.getHandle(workflowId).fetchHistory()).events!.length, {
        timeout: 15_000,
      })
      .toBeGreaterThan(5);
    const history = await rawClient.workflow.getHandle(workflowId).fetchHistory();
    // Every string and every byte field in the history, as text (payload bytes included).
    const texts: string[] = [];
    const walk = (v: unknown): void => {
      if (v instanceof Uint8Array) texts.push(Buffer.from(v).toString('utf8'));
      else if (typeof v === 'string') texts.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(history);
    const raw = texts.join('\n');
    expect(raw.length).toBeGreaterThan(1000);
    for (const secret of [reason, 'Exeter Road Surgery', 'dementia', '9434765919', 'Pennington', '1938-07-21'])
      expect(raw).not.toContain(secret);
    expect(raw).toContain('binary/encrypted');

    // The journey's start input (the referral it opened with), in the JSON form the Temporal UI sends to a codec.
    const startInput = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
    const asJson = {
      payloads: startInput.map((p) => ({
        metadata: Object.fromEntries(
          Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(p.data!).toString('base64'),
      })),
    };
    // Decoding is break-glass: a sign-in alone, even of the ops role, opens nothing.
    const ops = await token('ops-1', 'ops');
    expect((await call('POST', '/codec/decode', { token: ops, json: asJson })).status).toBe(401);
    expect((await call('POST', '/codec/decode', { json: asJson })).status).toBe(401);
    const why = 'INC-4411: journey stuck in triage after the outage';
    expect((await call('POST', '/auth/codec-session', { token: ops, json: {} })).status).toBe(400);
    expect((await call('POST', '/auth/codec-session', { token: ops, json: { reason: 'because' } })).status).toBe(400);
    expect(
      (
        await call('POST', '/auth/codec-session', {
          token: await token('coord-ana', 'coordinator', ['exeter-1']),
          json: { reason: why },
        })
      ).status,
    ).toBe(403);
    const broke = await call('POST', '/auth/codec-session', { token: ops, json: { reason: why } });
    expect(broke.status).toBe(201);
    const { token: codecToken, until } = broke.body as { token: string; until: string };
    expect(Date.parse(until) - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(Date.parse(until) - Date.now()).toBeLessThanOrEqual(15 * 60_000);

    const decoded = await call('POST', '/codec/decode', { token: codecToken, json: asJson });
    expect(decoded.status).toBe(200);
    const plain = Buffer.from(
      (decoded.body as { payloads: { data: string }[] }).payloads[0]!.data,
      'base64',
    ).toString();
    expect(JSON.parse(plain).referrals).toMatchObject([
      { reason, referrerOrganisation: 'Exeter Road Surgery', conditions: ['falls', 'dementia'] },
    ]);
    expect(plain).not.toContain('9434765919'); // the journey never held the NHS number in the first place
    expect(
      (
        await call('POST', '/codec/decode', {
          token: codecToken,
          json: { payloads: [{ metadata: asJson.payloads[0]!.metadata, data: 'AAAA' }] },
        })
      ).status,
    ).toBe(422);
    // Encoding too (the CLI uses it to send signals by hand).
    const encoded = await call('POST', '/codec/encode', { token: codecToken, json: decoded.body as object });
    expect(encoded.status).toBe(200);
    // The session opens the codec and nothing else.
    expect((await call('GET', '/journeys?team=exeter-1', { token: codecToken })).status).toBe(401);

    // Kept for the IG lead, with the reason; never for anyone else.
    const period = `from=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`;
    const kept = await call('GET', `/break-glass-sessions?${period}`, { token: await token('ig-1', 'ig-lead') });
    expect(kept.status).toBe(200);
    expect((kept.body as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ by: 'ops-1', role: 'ops', reason: why, until }),
    ]);
    expect((await call('GET', `/break-glass-sessions?${period}`, { token: ops })).status).toBe(403);

    // The Temporal Web UI cannot hold a token; it sends the cookie the break-glass answer set.
    const { base } = api.get();
    const cookieFor = async (bearer: string) => {
      const r = await fetch(`${base}/auth/codec-session`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: why }),
      });
      expect(r.status).toBe(201);
      const set = r.headers.get('set-cookie') ?? '';
      expect(set).toMatch(/^carepath_codec=[^;]+;/);
      expect(set).toMatch(/Max-Age=900/);
      expect(set).toMatch(/HttpOnly/i);
      expect(set).toMatch(/Path=\/codec/);
      expect(set).toMatch(/SameSite=Strict/i);
      // The cookie holds a codec session, never the sign-in.
      expect(set).not.toContain(bearer);
      return set.split(';')[0]!;
    };
    const withCookie = (path: string, cookie: string) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', origin: 'http://127.0.0.1:8233' },
        body: JSON.stringify(asJson),
      });
    const opsCookie = await cookieFor(ops);
    const viaCookie = await withCookie('/codec/decode', opsCookie);
    expect(viaCookie.status).toBe(200);
    expect(viaCookie.headers.get('access-control-allow-credentials')).toBe('true');
    expect(viaCookie.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    expect(((await viaCookie.json()) as { payloads: unknown[] }).payloads).toHaveLength(startInput.length);
    // A sign-in token put in the cookie is not a codec session.
    expect((await withCookie('/codec/decode', `carepath_codec=${ops}`)).status).toBe(401);
    expect((await withCookie('/codec/decode', 'carepath_codec=forged.token.here')).status).toBe(401);
    expect((await fetch(`${base}/journeys?team=exeter-1`, { headers: { cookie: opsCookie } })).status).toBe(401);
    const signedOut = await fetch(`${base}/auth/codec-session`, { method: 'DELETE' });
    expect(signedOut.status).toBe(204);
    expect(signedOut.headers.get('set-cookie')).toMatch(/carepath_codec=;.*Max-Age=0/i);
  });
});
