/** "What happened to my referral?": each referral the signed-in person made, and what became of it. */
import { DataTable } from '../components/DataTable';
import { ProblemAlert } from '../components/ProblemAlert';
import { api } from '../api';
import { loadDirectory } from '../directory';
import { day, when } from '../format';
import type { MyReferral } from '../types';
import { useLoad } from '../useLoad';

const statusLabel: Record<MyReferral['status'], string> = {
  received: 'Received: waiting for triage',
  accepted: 'Accepted',
  declined: 'Declined',
  closed: 'Closed',
};

export function MyReferrals() {
  const mine = useLoad(
    () => api<{ items: MyReferral[] }>('GET', '/referrals?mine=true&limit=200').then((r) => r.items),
    [],
  );
  const directory = useLoad(loadDirectory, []);
  const programmeName = (id: string) => directory.data?.find((p) => p.id === id)?.name ?? id;
  return (
    <>
      <h1>My referrals</h1>
      <ProblemAlert error={mine.error} />
      {mine.loading && !mine.data ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <DataTable
          caption={`${mine.data?.length ?? 0} referrals you made`}
          rows={mine.data ?? []}
          rowKey={(r) => r.referralId}
          initialSort={{ key: 'received', direction: 'descending' }}
          empty="You have made no referrals yet."
          columns={[
            {
              key: 'person',
              header: 'Person',
              cell: (r) => (r.person ? `${r.person.name} (${r.person.nhsNumber})` : '—'),
              sortValue: (r) => r.person?.name ?? '',
            },
            { key: 'programme', header: 'Programme', cell: (r) => programmeName(r.programme) },
            { key: 'received', header: 'Referred', cell: (r) => when(r.receivedAt), sortValue: (r) => r.receivedAt },
            {
              key: 'status',
              header: 'What happened',
              cell: (r) => (
                <span data-testid="referral-status">
                  {statusLabel[r.status]}
                  {r.status === 'accepted' && r.coordinator ? `: co-ordinator ${r.coordinator.name}` : ''}
                  {r.reason ? `: ${r.reason}` : ''}
                  {r.closedAt ? ` (${day(r.closedAt)})` : ''}
                </span>
              ),
              sortValue: (r) => r.status,
            },
          ]}
        />
      )}
    </>
  );
}
