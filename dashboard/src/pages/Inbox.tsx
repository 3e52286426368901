/**
 * The signed-in person's reminders, overdue notices and escalations, to acknowledge once handled:
 * grouped by the person each is about, and each said in words ("Reminder: assessment for Jane
 * Doe (943 476 5919) due tomorrow at 09:00"), with a link to the journey.
 */
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError } from '../api';
import { DataTable } from '../components/DataTable';
import { CheckField } from '../components/Fields';
import { ProblemAlert } from '../components/ProblemAlert';
import { deadlineLabel, dueWords, levelLabel, messageWords, personWords, shortId, when } from '../format';
import type { InboxItem } from '../types';
import { useLoad } from '../useLoad';

const kindLabel: Record<InboxItem['kind'], string> = {
  reminder: 'Reminder',
  overdue: 'Overdue',
  escalation: 'Escalation',
  notice: 'Notice',
};

/** The item as a sentence: what, for whom, and when it is due. */
export function inboxWords(i: InboxItem, now = Date.now()): string {
  const who = i.person ? ` for ${personWords(i.person)}` : '';
  const due = i.dueAt && i.kind !== 'notice' ? ` ${dueWords(i.dueAt, now)}` : '';
  return `${kindLabel[i.kind]}: ${deadlineLabel(i.deadline).toLowerCase()}${who}${due}`;
}

/** Whom the item was for: an MDT action's first steps are its owner's, not the co-ordinator's. */
const forWhom = (i: InboxItem) =>
  i.level === 0 && i.deadline.startsWith('mdt-action:') ? 'Action owner' : levelLabel[i.level];

/** Who an item is about, as a heading: the person, or (for a role that may not see them) the journey. */
const groupOf = (i: InboxItem) => (i.person ? personWords(i.person) : `Journey ${shortId(i.journeyId)}`);

export function Inbox() {
  const inbox = useLoad(() => api<{ items: InboxItem[] }>('GET', '/inbox?limit=200').then((r) => r.items), []);
  const [showAcked, setShowAcked] = useState(false);
  const [acked, setAcked] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError>();
  const items = (inbox.data ?? []).map((i) => (acked[i.id] ? { ...i, ackedAt: acked[i.id] } : i));
  const rows = items.filter((i) => showAcked || !i.ackedAt);
  const now = Date.now();
  // People in the order of their newest item.
  const groups = [...new Set(rows.map(groupOf))].map((g) => ({ g, rows: rows.filter((i) => groupOf(i) === g) }));
  const acknowledge = async (item: InboxItem) => {
    try {
      await api('POST', `/inbox/${encodeURIComponent(item.id)}/ack`);
      setAcked((a) => ({ ...a, [item.id]: new Date().toISOString() }));
      setError(undefined);
    } catch (e) {
      setError(e as ApiError);
    }
  };
  const waiting = items.filter((i) => !i.ackedAt).length;
  return (
    <>
      <h1>Inbox</h1>
      <ProblemAlert error={inbox.error ?? error} />
      <CheckField label="Show acknowledged items" checked={showAcked} onChange={setShowAcked} />
      {inbox.loading && !inbox.data ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <>
          <p data-testid="inbox-count">{waiting === 0 ? 'Nothing waiting for you.' : `${waiting} waiting for you`}</p>
          {groups.map(({ g, rows: mine }) => (
            <section key={g} aria-label={g}>
              <h2 className="person-group">{g}</h2>
              <DataTable
                caption={`${mine.length} item${mine.length === 1 ? '' : 's'} about ${g}`}
                rows={mine}
                rowKey={(i) => i.id}
                initialSort={{ key: 'created', direction: 'descending' }}
                empty="Nothing."
                columns={[
                  {
                    key: 'what',
                    header: 'What',
                    cell: (i) => (
                      <Link to={`/journeys/${encodeURIComponent(i.journeyId)}`} data-testid="inbox-item">
                        {inboxWords(i, now)}
                      </Link>
                    ),
                  },
                  {
                    key: 'level',
                    header: 'For',
                    // Work that reached you as cover says whose it is.
                    cell: (i) => (i.onBehalfOf ? `${forWhom(i)}, covering ${i.onBehalfOf}` : forWhom(i)),
                    sortValue: (i) => i.level,
                  },
                  { key: 'message', header: 'Message', cell: (i) => messageWords(i.message ?? '') },
                  {
                    key: 'created',
                    header: 'Received',
                    cell: (i) => when(i.createdAt),
                    sortValue: (i) => i.createdAt,
                  },
                  {
                    key: 'ack',
                    header: 'Acknowledge',
                    cell: (i) =>
                      i.ackedAt ? (
                        `Acknowledged ${when(i.ackedAt)}`
                      ) : (
                        <button
                          type="button"
                          onClick={() => void acknowledge(i)}
                          aria-label={`Acknowledge ${inboxWords(i, now)}`}
                        >
                          Acknowledge
                        </button>
                      ),
                  },
                ]}
              />
            </section>
          ))}
        </>
      )}
    </>
  );
}
