/**
 * What the probe's attacks are made of: referrals to send, raw HTTP where fetch will not do what an
 * attacker does (set Host, stream a body with no length), and the judge's look at the effect (did
 * a journey start?). An attack is judged by what it changed, never by the error it got back.
 */
import { randomInt } from 'node:crypto';
import { request } from 'node:http';
import { WorkflowNotFoundError } from '@temporalio/client';
import { patientIdFor } from '../../activities/pseudonym.js';
import { journeyWorkflowId } from '../../domain/journeyIds.js';
import { nhsCheckDigit } from '../../domain/nhsNumber.js';
import { httpClient, type CallResult } from '../httpClient.js';
import type { ProbeStack } from './stack.js';

export const PROGRAMME = 'frailty-virtual-ward';

/** Made-up, valid NHS numbers in the 999 range, never issued to anyone. */
export function nhsNumbers(count: number): string[] {
  const made = new Set<string>();
  while (made.size < count) {
    const nine = `999${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
    const check = nhsCheckDigit(nine);
    if (check !== undefined) made.add(`${nine}${check}`);
  }
  return [...made];
}

/** A referral to south-devon-1 (a TQ postcode) of the frailty virtual ward; `reason` may be padded. */
export const referral = (nhsNumber: string, reason = 'two falls since the summer') => ({
  patient: { nhsNumber, givenName: 'Probe', familyName: 'Person', birthDate: '1944-04-04', postcode: 'TQ5 9AA' },
  programme: PROGRAMME,
  source: 'gp',
  reason,
  urgency: 'urgent',
  conditions: [],
  consent: { given: true, recordedBy: 'GP' },
});

export const refer = (stack: ProbeStack, token: string, nhsNumber: string): Promise<CallResult> =>
  httpClient(stack.api)('POST', '/referrals', { token, json: referral(nhsNumber) });

export const workflowIdOf = (stack: ProbeStack, nhsNumber: string) =>
  journeyWorkflowId(PROGRAMME, patientIdFor(nhsNumber, stack.judge.pseudonymKey));

/** Whether a journey was started for the person: the effect a refused referral must not have. */
export async function journeyStarted(stack: ProbeStack, nhsNumber: string): Promise<boolean> {
  try {
    await stack.judge.client.workflow.getHandle(workflowIdOf(stack, nhsNumber)).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/**
 * Waits for something the stack does on its own time (a workflow task, a projection to the read
 * model): `look` until it answers something, or fail after `withinMs`.
 */
export async function until<T>(what: string, look: () => Promise<T | undefined>, withinMs = 20_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const seen = await look();
    if (seen !== undefined) return seen;
    if (Date.now() > deadline) throw new Error(`waited ${withinMs / 1000} s for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A request through node:http, which lets the caller name any Host and send a body in chunks with
 * no Content-Length, and reads an early answer (413) even while the server stops the upload.
 */
export function rawRequest(
  url: string,
  opts: { method: string; headers?: Record<string, string>; body?: string; chunked?: boolean },
): Promise<{ status: number; text: string }> {
  return new Promise((answered, reject) => {
    // An upload the server cut short can end in a socket error with the answer already on its way.
    const noAnswer = setTimeout(() => reject(new Error(`no answer from ${opts.method} ${url}`)), 30_000);
    const resolve = (answer: { status: number; text: string }) => {
      clearTimeout(noAnswer);
      answered(answer);
    };
    const headers: Record<string, string | number> = { ...opts.headers };
    if (opts.body !== undefined && !opts.chunked) headers['content-length'] = Buffer.byteLength(opts.body);
    // A connection of its own (no keep-alive): one the server closed after refusing an upload is never reused.
    const req = request(url, { method: opts.method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    // The server may close the connection on an upload it refused: that is its answer, not a failure.
    req.on('error', (error) => {
      if (req.destroyed) return;
      clearTimeout(noAnswer);
      reject(error);
    });
    if (opts.body !== undefined && opts.chunked) {
      for (let at = 0; at < opts.body.length; at += 16_384) req.write(opts.body.slice(at, at + 16_384));
      req.end();
    } else req.end(opts.body);
  });
}
