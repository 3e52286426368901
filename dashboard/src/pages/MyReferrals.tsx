/**
 * "What happened to my referral?": each referral the signed-in person made, and what became of it;
 * or, for a referrer whose organisation shares its referrals (a practice whose GPs cover each
 * other), every referral the organisation made, with who made each.
 */
import { useState } from 'react';
import { DataTable } from '../components/DataTable';
import { SelectField } from '../components/Fields';
import { ProblemAlert } from '../components/ProblemAlert';
import { api } from '../api';
import { loadDirectory } from '../directory';
import { day, when } from '../format';
import { useUser } from '../session';
import type { MyReferral } from '../types';
import { useLoad } from '../useLoad';

const statusLabel: Record<MyReferral['status'], string> = {
  received: 'Received: waiting for triage',
  accepted: 'Accepted',
  declined: 'Declined',
  closed: 'Closed',
};

export function MyReferrals() {
  const user = useUser();
  const [whose, setWhose] = useState<'mine' | 'organisation'>('mine');
  const mine = useLoad(
    () => api<{ items: MyReferral[] }>('GET', `/referrals?${whose}=true&limit=200`).then((r) => r.items),
    [whose],
  );
  const directory = useLoad(loadDirectory, []);
  const programmeName = (id: string) => directory.data?.find((p) => p.id === id)?.name ?? id;
  return (
    <>
      <h1>My referrals</h1>
      {user.organisation ? (
        <SelectField
          label="Whose referrals"
          hint="Your organisation's list is there where it shares its referrals among its referrers"
          value={whose}
          onChange={setWhose}
          required
          options={[
            { value: 'mine', label: 'The referrals I made' },
            { value: 'organisation', label: `Every referral ${user.organisation} made` },
          ]}
        />
      ) : null}
      <ProblemAlert error={mine.error} />
      {mine.loading && !mine.data ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <DataTable
          caption={`${mine.data?.length ?? 0} referrals ${whose === 'mine' ? 'you' : user.organisation} made`}
          rows={mine.data ?? []}
          rowKey={(r) => r.referralId}
          initialSort={{ key: 'received', direction: 'descending' }}
          empty={
            whose === 'mine' ? 'You have made no referrals yet.' : `${user.organisation} has made no referrals yet.`
          }
          columns={[
            {
              key: 'person',
              header: 'Person',
              cell: (r) => (r.person ? `${r.person.name} (${r.person.nhsNumber})` : '—'),
              sortValue: (r) => r.person?.name ?? '',
            },
            ...(whose === 'organisation'
              ? [{ key: 'by', header: 'Referred by', cell: (r: MyReferral) => r.referredBy ?? '—' }]
              : []),
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
