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

/** Email through Amazon SES (v2). The body names the journey and the deadline, never the patient. */
export function sesEmailChannel(ses: SESv2Client, settings: EmailSettings): NotificationChannel {
  return {
    name: 'email',
    async deliver(recipient, n) {
      const link = settings.dashboardUrl
        ? `\n\n${settings.dashboardUrl.replace(/\/$/, '')}/journeys/${encodeURIComponent(n.journeyId)}`
        : '';
      const subject = `[carepath] ${n.kind === 'escalation' ? `Escalation (level ${n.level})` : n.kind[0]!.toUpperCase() + n.kind.slice(1)}: ${n.deadline}`;
      await ses.send(
        new SendEmailCommand({
          FromEmailAddress: settings.from,
          Destination: { ToAddresses: [settings.addressTemplate.replace('{id}', recipient)] },
          Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: `${n.message}${link}` } } } },
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
