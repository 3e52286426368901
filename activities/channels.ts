/**
 * Where a notification goes besides the in-app inbox (always on). Locally: the log. In AWS:
 * email through Amazon SES to the staff member's work address. A channel must never put a
 * patient identifier in a message: notifications carry journey ids and care facts only.
 */
import type { Notification } from '../domain/journey.js';

export interface NotificationChannel {
  readonly name: string;
  deliver(recipient: string, notification: Notification): Promise<void>;
}

/** Writes one structured JSON line per delivery (what CloudWatch or a terminal shows). */
export const logChannel: NotificationChannel = {
  name: 'log',
  async deliver(recipient, n) {
    console.log(
      JSON.stringify({ level: 'info', msg: 'notification', channel: 'log', recipient, id: n.id, journeyId: n.journeyId, kind: n.kind, level_: n.level, deadline: n.deadline }),
    );
  },
};
