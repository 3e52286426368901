/**
 * Where a notification goes besides the in-app inbox (always on). Locally: the log. In AWS:
 * email through Amazon SES to the staff member's work address. A channel must never put a
 * patient identifier in a message: notifications carry journey ids and care facts only.
 */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Notification } from '../domain/journey.js';

export interface NotificationChannel {
  readonly name: string;
  /**
   * True for a channel whose repeats harm no one (the log): it is sent on every attempt. Others
   * (email) are recorded per notification and recipient once sent, and never sent twice.
   */
  readonly repeatable?: boolean;
  deliver(recipient: string, notification: Notification): Promise<void>;
}

/** Writes one structured JSON line per delivery (what CloudWatch or a terminal shows). */
export const logChannel: NotificationChannel = {
  name: 'log',
  repeatable: true,
  async deliver(recipient, n) {
    console.log(
      JSON.stringify({
        level: 'info',
        msg: 'notification',
        channel: 'log',
        recipient,
        id: n.id,
        journeyId: n.journeyId,
        kind: n.kind,
        level_: n.level,
        deadline: n.deadline,
      }),
    );
  },
};

export interface EmailSettings {
  /** The verified SES sender, e.g. `carepath@ics.example.nhs.uk`. */
  from: string;
  /** How a staff id becomes an address: `{id}` is replaced, e.g. `{id}@nhs.net`. */
  addressTemplate: string;
  /** Where the dashboard lives, so the email links to the journey rather than describing the person. */
  dashboardUrl?: string;
}

/** The email a notification makes for one recipient: to whom, its subject and its text. */
export interface Email {
  to: string;
  subject: string;
  text: string;
}

/**
 * The email a notification becomes. It names the journey and the deadline, never the patient, and
 * links to the journey rather than describing the person. The chaos run works out from each inbox
 * item the email that should have gone, and finds it sent once (scripts/chaosEmails.ts).
 */
export function emailFor(
  recipient: string,
  n: Pick<Notification, 'journeyId' | 'kind' | 'level' | 'deadline' | 'message'>,
  settings: EmailSettings,
): Email {
  const link = settings.dashboardUrl
    ? `\n\n${settings.dashboardUrl.replace(/\/$/, '')}/journeys/${encodeURIComponent(n.journeyId)}`
    : '';
  const subject = `[carepath] ${n.kind === 'escalation' ? `Escalation (level ${n.level})` : n.kind[0]!.toUpperCase() + n.kind.slice(1)}: ${n.deadline}`;
  return { to: settings.addressTemplate.replace('{id}', recipient), subject, text: `${n.message}${link}` };
}

/** Email through Amazon SES (v2). */
export function sesEmailChannel(ses: SESv2Client, settings: EmailSettings): NotificationChannel {
  return {
    name: 'email',
    async deliver(recipient, n) {
      const email = emailFor(recipient, n, settings);
      await ses.send(
        new SendEmailCommand({
          FromEmailAddress: settings.from,
          Destination: { ToAddresses: [email.to] },
          Content: { Simple: { Subject: { Data: email.subject }, Body: { Text: { Data: email.text } } } },
        }),
      );
    },
  };
}

export function emailSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): EmailSettings | undefined {
  if (!env.CAREPATH_EMAIL_FROM || !env.CAREPATH_EMAIL_ADDRESS_TEMPLATE) return undefined;
  return {
    from: env.CAREPATH_EMAIL_FROM,
    addressTemplate: env.CAREPATH_EMAIL_ADDRESS_TEMPLATE,
    ...(env.CAREPATH_DASHBOARD_URL ? { dashboardUrl: env.CAREPATH_DASHBOARD_URL } : {}),
  };
}
