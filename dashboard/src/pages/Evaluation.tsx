/**
 * Is the service working? The evaluation metrics (from the audit trail) per programme, team and
 * period: referral-to-assessment time, on-time rates, post-discharge contact, readmissions,
 * escalations and closures — with a month-by-month trend; and outcomes: change from baseline,
 * place of death, admissions before and after referral, caseload days (components/OutcomeTables).
 */
import { useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api } from '../api';
import { BarFigure } from '../components/BarFigure';
import { ChartFigure } from '../components/ChartFigure';
import { OutcomeTables } from '../components/OutcomeTables';
import { SelectField } from '../components/Fields';
import { ProblemAlert } from '../components/ProblemAlert';
import { allTeams, loadDirectory } from '../directory';
import { levelLabel } from '../format';
import { useUser } from '../session';
import { isTeamScoped, type Metrics } from '../types';
import { useLoad } from '../useLoad';

const DAY = 86_400_000;
const periods = { '30': 'Last 30 days', '90': 'Last 90 days', '365': 'Last 12 months' } as const;
type Period = keyof typeof periods;
const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)}%`);
/**
 * A bar for a count: one hidden as small ("<5", shown to those outside the team) has no bar, and
 * the table beside the chart says "<5".
 */
const bar = (label: string, value: number | string) =>
  typeof value === 'number' ? { label, value } : { label, value: 0, shown: value };

function query(programme: string, team: string, from: Date, to: Date) {
  const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString() });
  if (programme) q.set('programme', programme);
  if (team) q.set('team', team);
  return `/metrics?${q}`;
}

export function Evaluation() {
  const user = useUser();
  const directory = useLoad(loadDirectory, []);
  const teams = directory.data
    ? allTeams(directory.data).filter((t) => !isTeamScoped(user.role) || user.teams.includes(t.id))
    : [];
  const [programme, setProgramme] = useState('');
  const [team, setTeam] = useState(isTeamScoped(user.role) ? (user.teams[0] ?? '') : '');
  const [period, setPeriod] = useState<Period>('90');
  const [to] = useState(() => new Date());
  const from = new Date(to.getTime() - Number(period) * DAY);
  const metrics = useLoad(() => api<Metrics>('GET', query(programme, team, from, to)), [programme, team, period]);
  // The trend: one period per month over the last six months.
  const trend = useLoad(
    () =>
      Promise.all(
        [5, 4, 3, 2, 1, 0].map(async (back) => {
          const end = new Date(to.getFullYear(), to.getMonth() - back + 1, 1);
          const start = new Date(to.getFullYear(), to.getMonth() - back, 1);
          const m = await api<Metrics>('GET', query(programme, team, start, end < to ? end : to));
          return {
            month: start.toLocaleString('en-GB', { month: 'short' }),
            assessment: m.onTime.assessment.rate,
            carePlan: m.onTime['care-plan'].rate,
            review: m.onTime.review.rate,
            contact: m.postDischargeContact.rate,
            referrals: m.referrals.total,
          };
        }),
      ),
    [programme, team],
  );
  const programmes = directory.data ?? [];
  const m = metrics.data;
  return (
    <>
      <h1>Evaluation</h1>
      <div className="filters" role="group" aria-label="Choose what to evaluate">
        <SelectField
          label="Programme"
          emptyLabel="All programmes"
          value={programme}
          onChange={(p) => {
            setProgramme(p);
            setTeam(isTeamScoped(user.role) ? team : '');
          }}
          options={programmes.map((p) => ({ value: p.id, label: p.name }))}
        />
        <SelectField
          label="Team"
          emptyLabel="All teams"
          value={team}
          required={isTeamScoped(user.role)}
          onChange={setTeam}
          options={teams
            .filter((t) => !programme || t.programme.id === programme)
            .map((t) => ({ value: t.id, label: t.name }))}
        />
        <SelectField
          label="Period"
          value={period}
          required
          onChange={setPeriod}
          options={Object.entries(periods).map(([value, label]) => ({ value: value as Period, label }))}
        />
      </div>
      <ProblemAlert error={metrics.error ?? trend.error} />
      {m ? (
        <>
          <section aria-labelledby="headline-heading">
            <h2 id="headline-heading">Headlines</h2>
            {m.smallNumbersBelow ? (
              <p className="muted" data-testid="small-numbers">
                Counts from 1 to {m.smallNumbersBelow - 1} are shown as “&lt;{m.smallNumbersBelow}”, and rates worked
                out from them are left out, so that no one can be picked out.
              </p>
            ) : null}
            <dl className="tiles">
              <div>
                <dt>Referrals</dt>
                <dd data-testid="referrals-total">{m.referrals.total}</dd>
              </div>
              <div>
                <dt>Referral to assessment (median)</dt>
                <dd>
                  {m.referralToAssessmentDays.median === null ? '—' : `${m.referralToAssessmentDays.median} days`}
                </dd>
              </div>
              <div>
                <dt>Referral to assessment (90th centile)</dt>
                <dd>{m.referralToAssessmentDays.p90 === null ? '—' : `${m.referralToAssessmentDays.p90} days`}</dd>
              </div>
              <div>
                <dt>Post-discharge contact in window</dt>
                <dd>
                  {percent(m.postDischargeContact.rate)}{' '}
                  <span className="muted">of {m.postDischargeContact.discharges}</span>
                </dd>
              </div>
              <div>
                <dt>30-day readmissions</dt>
                <dd>
                  {m.readmissions.within30Days} <span className="muted">of {m.readmissions.admissions} admissions</span>
                </dd>
              </div>
            </dl>
          </section>
          <div className="grid two">
            <BarFigure
              id="on-time"
              caption="Deadlines met on time"
              categoryName="Deadline"
              valueName="On time (%)"
              percent
              rows={(['assessment', 'care-plan', 'review'] as const).map((k) => ({
                label: k,
                value: Math.round((m.onTime[k].rate ?? 0) * 100),
              }))}
              table={{
                headers: ['Deadline', 'Met', 'On time', 'Rate'],
                rows: (['assessment', 'care-plan', 'review'] as const).map((k) => [
                  k,
                  m.onTime[k].met,
                  m.onTime[k].onTime,
                  percent(m.onTime[k].rate),
                ]),
              }}
            />
            <BarFigure
              id="closures"
              caption="Closures by reason"
              categoryName="Reason"
              valueName="Closed"
              colour="#007f3b"
              rows={Object.entries(m.closures.byReason).map(([label, value]) => bar(label, value))}
            />
            <BarFigure
              id="sources"
              caption="Referrals by source"
              categoryName="Source"
              valueName="Referrals"
              rows={Object.entries(m.referrals.bySource).map(([label, value]) => bar(label, value))}
            />
            <BarFigure
              id="escalations"
              caption="Overdue notices and escalations by level"
              categoryName="Level"
              valueName="Notices"
              colour="#d5281b"
              rows={(['0', '1', '2'] as const).map((l) => bar(levelLabel[Number(l)]!, m.escalationsByLevel[l]))}
            />
          </div>
          <OutcomeTables metrics={m} />
        </>
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
      {trend.data ? (
        <ChartFigure
          id="trend"
          caption="Month by month: on-time rates and post-discharge contact"
          table={{
            headers: [
              'Month',
              'Referrals',
              'Assessment on time',
              'Care plan on time',
              'Review on time',
              'Contact in window',
            ],
            rows: trend.data.map((t) => [
              t.month,
              t.referrals,
              percent(t.assessment),
              percent(t.carePlan),
              percent(t.review),
              percent(t.contact),
            ]),
          }}
        >
          <ResponsiveContainer width="100%" height={260}>
            <LineChart
              data={trend.data.map((t) => ({
                ...t,
                assessment: pct(t.assessment),
                carePlan: pct(t.carePlan),
                review: pct(t.review),
                contact: pct(t.contact),
              }))}
            >
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="month" />
              <YAxis unit="%" domain={[0, 100]} />
              <Tooltip />
              <Legend />
              <Line dataKey="assessment" name="Assessment" stroke="#005eb8" connectNulls />
              <Line dataKey="carePlan" name="Care plan" stroke="#007f3b" connectNulls />
              <Line dataKey="review" name="Review" stroke="#7c2855" connectNulls />
              <Line dataKey="contact" name="Post-discharge contact" stroke="#ed8b00" connectNulls />
            </LineChart>
          </ResponsiveContainer>
        </ChartFigure>
      ) : null}
    </>
  );
}

const pct = (rate: number | null) => (rate === null ? null : Math.round(rate * 100));
