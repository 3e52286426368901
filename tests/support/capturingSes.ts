/**
 * SES cannot run on this machine, so the SES client's transport is cut short: each request it
 * would send is captured (or refused by `before`, as SES refuses when throttled) and answered as
 * SES answers. Everything above the transport — the channel, the delivery records — runs for real.
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { sesEmailChannel } from '../../activities/channels.js';

export function capturingSes(before?: (input: Record<string, unknown>) => void) {
  const sent: Record<string, unknown>[] = [];
  const ses = new SESv2Client({ region: 'eu-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  ses.middlewareStack.add(
    () => async (args) => {
      const input = args.input as Record<string, unknown>;
      before?.(input);
      sent.push(input);
      return { output: { MessageId: `m${sent.length}`, $metadata: {} }, response: {} };
    },
    { step: 'initialize', name: 'captureInsteadOfSending' },
  );
  return { ses, sent };
}

/** The email channel on a captured SES client, addressing staff as `<id>@nhs.net`. */
export const channelOf = (ses: SESv2Client) =>
  sesEmailChannel(ses, { from: 'carepath@ics.example.nhs.uk', addressTemplate: '{id}@nhs.net' });

/** The one address a captured request was sent to. */
export const sentTo = (input: Record<string, unknown>) =>
  (input.Destination as { ToAddresses: string[] }).ToAddresses[0]!;
