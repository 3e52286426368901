/** The signed-in person's reminders, overdue notices and escalations, to acknowledge once handled. */
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError } from '../api';
import { DataTable } from '../components/DataTable';
import { CheckField } from '../components/Fields';
import { ProblemAlert } from '../components/ProblemAlert';
import { deadlineLabel, levelLabel, shortId, when } from '../format';
import type { InboxItem } from '../types';
import { useLoad } from '../useLoad';

export function Inbox() {
  const inbox = useLoad(() => api<{ items: InboxItem[] }>('GET', '/inbox?limit=200').then((r) => r.items), []);
  const [showAcked, setShowAcked] = useState(false);
  const [acked, setAcked] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError>();
  const items = (inbox.data ?? []).map((i) => (acked[i.id] ? { ...i, ackedAt: acked[i.id] } : i));
  const rows = items.filter((i) => showAcked || !i.ackedAt);
  const acknowledge = async (item: InboxItem) => {
    try {
      await api('POST', `/inbox/${encodeURIComponent(item.id)}/ack`);
      setAcked((a) => ({ ...a, [item.id]: new Date().toISOString() }));
      setError(undefined);
    } catch (e) {
      setError(e as ApiError);
    }
  };
  return (
    <>
      <h1>Inbox</h1>
      <ProblemAlert error={inbox.error ?? error} />
      <CheckField label="Show acknowledged items" checked={showAcked} onChange={setShowAcked} />
      {inbox.loading && !inbox.data ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <DataTable
          caption={`${items.filter((i) => !i.ackedAt).length} waiting for you`}
          rows={rows}
          rowKey={(i) => i.id}
          initialSort={{ key: 'created', direction: 'descending' }}
          empty="Nothing waiting for you."
          columns={[
            {
              key: 'kind',
              header: 'Kind',
              cell: (i) => <span className={`badge ${i.kind}`}>{i.kind}</span>,
              sortValue: (i) => i.kind,
            },
            { key: 'level', header: 'For', cell: (i) => levelLabel[i.level], sortValue: (i) => i.level },
            {
              key: 'deadline',
              header: 'Deadline',
              cell: (i) => deadlineLabel(i.deadline),
              sortValue: (i) => i.deadline,
            },
            { key: 'due', header: 'Due', cell: (i) => when(i.dueAt), sortValue: (i) => i.dueAt },
            { key: 'message', header: 'Message', cell: (i) => i.message ?? '' },
            {
              key: 'journey',
              header: 'Journey',
              cell: (i) => <Link to={`/journeys/${encodeURIComponent(i.journeyId)}`}>{shortId(i.journeyId)}</Link>,
            },
            { key: 'created', header: 'Received', cell: (i) => when(i.createdAt), sortValue: (i) => i.createdAt },
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
                    aria-label={`Acknowledge ${i.kind}: ${deadlineLabel(i.deadline)} for journey ${shortId(i.journeyId)}`}
                  >
                    Acknowledge
                  </button>
                ),
            },
          ]}
        />
      )}
    </>
  );
}
