/**
 * Amazon SES cannot run on this machine, so the chaos run gives the worker an HTTP endpoint that
 * answers SES v2's SendEmail as SES does (`AWS_ENDPOINT_URL_SESV2`), and refuses a share of the
 * sends as SES does when it throttles (429 TooManyRequestsException) or fails (500). The worker's
 * SES client, its retries, the email channel and the delivery records all run for real; only the
 * far end is this. It keeps every email it accepted, with when, for the check (scripts/chaosEmails.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Email } from '../activities/channels.js';

export interface AcceptedEmail extends Email {
  /** When this endpoint accepted it (ms since the epoch). */
  at: number;
}

export interface FakeSes {
  endpoint: string;
  accepted: AcceptedEmail[];
  refused: number;
  stop(): Promise<void>;
}

/** `refuse` decides, per send, whether to refuse it (seeded by the caller, so a run repeats). */
export async function startFakeSes(refuse: () => boolean): Promise<FakeSes> {
  const ses: Omit<FakeSes, 'endpoint' | 'stop'> = { accepted: [], refused: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, body: object, errorType?: string) => {
        res.writeHead(status, {
          'content-type': 'application/json',
          'x-amzn-requestid': `req-${Date.now()}`,
          ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
        });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== '/v2/email/outbound-emails')
        return answer(404, { message: `no such SES call: ${req.method} ${req.url}` }, 'NotFoundException');
      if (refuse()) {
        ses.refused += 1;
        return ses.refused % 2 === 0
          ? answer(429, { message: 'Maximum sending rate exceeded.' }, 'TooManyRequestsException')
          : answer(500, { message: 'Internal failure.' }, 'InternalFailure');
      }
      const sent = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        Destination: { ToAddresses: string[] };
        Content: { Simple: { Subject: { Data: string }; Body: { Text: { Data: string } } } };
      };
      ses.accepted.push({
        to: sent.Destination.ToAddresses.join(','),
        subject: sent.Content.Simple.Subject.Data,
        text: sent.Content.Simple.Body.Text.Data,
        at: Date.now(),
      });
      answer(200, { MessageId: `chaos-${ses.accepted.length}` });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(ses, {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  });
}
