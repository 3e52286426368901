/**
 * Whether people are better off (issue 21), as tables a screen reader reads row by row: change from
 * baseline at each follow-up point and at closure, place of death, admissions before and after
 * referral, and caseload days. Every figure says whom it is of ("41 of 63 people"); the definitions
 * are in docs/evaluation.md.
 */
import type { Metrics } from '../types';

const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)}%`);
const signed = (x: number | null) => (x === null ? '—' : `${x > 0 ? '+' : ''}${x}`);
const interval = (ci: [number, number] | null) => (ci === null ? '' : ` (95% CI ${signed(ci[0])} to ${signed(ci[1])})`);
const ofPeople = (part: number | string, whole: number | string) => `${part} of ${whole} people`;

export function OutcomeTables({ metrics: m }: { metrics: Metrics }) {
  const deaths = m.closures.placeOfDeathAchieved;
  const admissions = m.admissionsBeforeAfter;
  return (
    <section aria-labelledby="outcomes-heading">
      <h2 id="outcomes-heading">Outcomes</h2>
      {m.outcomes.length === 0 ? <p className="muted">These programmes take no outcome measures.</p> : null}
      {m.outcomes.map((o) => (
        <div className="table-scroll" key={`${o.programme}-${o.instrument}-${o.scale}`}>
          <table data-testid={`outcome-${o.instrument}-${o.scale}`}>
            <caption>
              {o.name}: {o.label} — change from baseline ({o.higherIs === 'worse' ? 'a fall' : 'a rise'} is better)
              {o.reliableChangePoints !== null ? `; reliable change is ${o.reliableChangePoints} points` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Measured, of people expected</th>
                <th scope="col">Completeness</th>
                <th scope="col">Mean at baseline</th>
                <th scope="col">Mean change</th>
                <th scope="col">Reliable improvement</th>
                <th scope="col">Reliable deterioration</th>
              </tr>
            </thead>
            <tbody>
              {o.points.map((p) => (
                <tr key={p.point}>
                  <th scope="row">
                    {o.name} {p.point}
                  </th>
                  <td>{ofPeople(p.measured, p.of)}</td>
                  <td>{percent(p.completeness)}</td>
                  <td>{p.meanBaseline ?? '—'}</td>
                  <td>
                    {signed(p.meanChange)}
                    {interval(p.ci95)}
                  </td>
                  <td>
                    {p.reliable ? `${p.reliable.improved} (${percent(p.reliable.improvedRate)})` : 'not published'}
                  </td>
                  <td>
                    {p.reliable
                      ? `${p.reliable.deteriorated} (${percent(p.reliable.deterioratedRate)})`
                      : 'not published'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      <div className="grid two">
        <table data-testid="place-of-death">
          <caption>Died in their preferred place</caption>
          <tbody>
            <tr>
              <th scope="row">Deaths</th>
              <td>{deaths.deaths}</td>
            </tr>
            <tr>
              <th scope="row">In the preferred place</th>
              <td>
                {deaths.yes} of{' '}
                {typeof deaths.yes === 'number' && typeof deaths.no === 'number' ? deaths.yes + deaths.no : '—'}{' '}
                recorded ({percent(deaths.rate)})
              </td>
            </tr>
            <tr>
              <th scope="row">Not in the preferred place</th>
              <td>{deaths.no}</td>
            </tr>
            <tr>
              <th scope="row">Not recorded</th>
              <td>{deaths.notRecorded}</td>
            </tr>
          </tbody>
        </table>
        <table data-testid="admissions-before-after">
          <caption>Emergency admissions, 6 months before referral and 6 months after</caption>
          <tbody>
            <tr>
              <th scope="row">People 6 months on, journey open throughout</th>
              <td>{admissions.of}</td>
            </tr>
            <tr>
              <th scope="row">With the referrer’s count of admissions before</th>
              <td>
                {ofPeople(admissions.measured, admissions.of)} ({percent(admissions.completeness)})
              </td>
            </tr>
            <tr>
              <th scope="row">Admissions before (mean per person)</th>
              <td>
                {admissions.before} ({admissions.meanBefore ?? '—'})
              </td>
            </tr>
            <tr>
              <th scope="row">Admissions after (mean per person)</th>
              <td>
                {admissions.after} ({admissions.meanAfter ?? '—'})
              </td>
            </tr>
            <tr>
              <th scope="row">Admissions after, of everyone 6 months on</th>
              <td>{admissions.afterAll}</td>
            </tr>
          </tbody>
        </table>
      </div>
      <div className="table-scroll">
        <table data-testid="caseload-days">
          <caption>Caseload days in the period</caption>
          <thead>
            <tr>
              <th scope="col">Team</th>
              <th scope="col">Co-ordinator</th>
              <th scope="col">People</th>
              <th scope="col">Days</th>
            </tr>
          </thead>
          <tbody>
            {m.caseloadDays.map((c) => (
              <tr key={`${c.teamId}-${c.coordinatorId}`}>
                <td>{c.teamId}</td>
                <th scope="row">{c.coordinatorId}</th>
                <td>{c.people}</td>
                <td>{c.days ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
