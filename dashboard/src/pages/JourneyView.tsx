/**
 * One journey: where it stands, its deadlines and how far each one's ladder has gone, the care
 * plan, hospital stays and timeline — and the actions a co-ordinator (or lead) takes, as forms.
 */
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { parseJourneyId } from '../../../domain/journeyIds';
import { api, currentConfig } from '../api';
import { DataTable } from '../components/DataTable';
import { PatientBanner } from '../components/PatientBanner';
import { ProblemAlert } from '../components/ProblemAlert';
import { allTeams, coordinatorName, loadDirectory } from '../directory';
import { TextField } from '../components/Fields';
import { ActionForm } from '../forms/ActionForm';
import { AssessmentForm } from '../forms/AssessmentForm';
import { BreakGlassForm } from '../forms/BreakGlassForm';
import { CarePlanForm } from '../forms/CarePlanForm';
import { CloseForm } from '../forms/CloseForm';
import { ContactForm } from '../forms/ContactForm';
import { MeasureForm } from '../forms/MeasureForm';
import { ReportedDischargeForm } from '../forms/ReportedDischargeForm';
import { ReassignForm } from '../forms/ReassignForm';
import { ReviewForm } from '../forms/ReviewForm';
import { TriageForm } from '../forms/TriageForm';
import { day, deadlineLabel, levelLabel, offsetLabel, phaseLabel, relative, when } from '../format';
import { useUser } from '../session';
import type { JourneyDetail, JourneySummary, ProgrammeDirectory } from '../types';
import { useLoad } from '../useLoad';

type Earlier = JourneySummary & { timeline: JourneyDetail['timeline'] };

export function JourneyView() {
  const id = useParams().id!;
  const loaded = useLoad(() => api<JourneyDetail | Earlier>('GET', `/journeys/${encodeURIComponent(id)}`), [id]);
  const directory = useLoad(loadDirectory, []);
  const [journey, setJourney] = useState<JourneyDetail | Earlier>();
  useEffect(() => setJourney(loaded.data), [loaded.data]);
  if (!journey || !directory.data)
    return loaded.error || directory.error ? (
      <ProblemAlert error={loaded.error ?? directory.error} />
    ) : (
      <p aria-busy="true">Loading…</p>
    );
  if (!('deadlines' in journey)) return <EarlierEpisode journey={journey} programmes={directory.data} />;
  return <LiveJourney journey={journey} programmes={directory.data} onChange={setJourney} />;
}

function Header({ journey, programmes }: { journey: JourneySummary; programmes: ProgrammeDirectory[] }) {
  const programme = programmes.find((p) => p.id === journey.programme);
  const team = programme?.teams.find((t) => t.id === journey.teamId);
  const ui = currentConfig()?.temporalUi;
  const workflowId = parseJourneyId(journey.id)?.workflowId;
  return (
    <header className="journey-head">
      {journey.person ? <PatientBanner person={journey.person} /> : null}
      <h1>
        {journey.person ? `${journey.person.givenName} ${journey.person.familyName}: journey ` : 'Journey '}
        <span className="mono">{journey.id.slice(-12)}</span>
      </h1>
      <dl className="facts">
        <dt>Phase</dt>
        <dd data-testid="phase">{phaseLabel[journey.phase]}</dd>
        <dt>Programme</dt>
        <dd>{programme?.name ?? journey.programme}</dd>
        <dt>Team</dt>
        <dd>
          <Link to={`/team/${journey.teamId}`}>{team?.name ?? journey.teamId}</Link>
        </dd>
        <dt>Co-ordinator</dt>
        <dd>{coordinatorName(programmes, journey.coordinatorId)}</dd>
        <dt>Risk</dt>
        <dd>{journey.riskTier}</dd>
        <dt>Opened</dt>
        <dd>{day(journey.openedAt)}</dd>
      </dl>
      {ui && workflowId ? (
        <p>
          <a
            href={`${ui.url}/namespaces/${encodeURIComponent(ui.namespace)}/workflows?query=${encodeURIComponent(`WorkflowId="${workflowId}"`)}`}
            target="_blank"
            rel="noreferrer"
          >
            Open this journey's workflow in the Temporal Web UI
          </a>
        </p>
      ) : null}
    </header>
  );
}

function LiveJourney({
  journey,
  programmes,
  onChange,
}: {
  journey: JourneyDetail;
  programmes: ProgrammeDirectory[];
  onChange: (j: JourneyDetail) => void;
}) {
  const user = useUser();
  const team = allTeams(programmes).find((t) => t.id === journey.teamId);
  const programme = programmes.find((p) => p.id === journey.programme);
  const where = journey.communityPhase;
  const open = journey.phase !== 'closed';
  const coordinator = user.role === 'coordinator';
  const lead = user.role === 'team-lead';
  const forms = [
    where === 'triage' && (coordinator || lead) ? (
      <TriageForm key="triage" journey={journey} onDone={onChange} />
    ) : null,
    where === 'assessment' && (coordinator || lead) ? (
      <AssessmentForm key="assessment" journey={journey} onDone={onChange} />
    ) : null,
    (where === 'care-planning' || where === 'active') && open && (coordinator || lead) ? (
      <CarePlanForm key={`plan-${journey.carePlan?.version ?? 0}`} journey={journey} onDone={onChange} />
    ) : null,
    where === 'active' && open && (coordinator || lead) ? (
      <ReviewForm key="review" journey={journey} onDone={onChange} />
    ) : null,
    open && journey.phase !== 'referred' && (coordinator || lead) ? (
      <ContactForm key="contact" journey={journey} onDone={onChange} />
    ) : null,
    open && programme?.outcomes?.length && where !== 'referred' && where !== 'triage' && (coordinator || lead) ? (
      <MeasureForm
        key="measure"
        journey={journey}
        onDone={onChange}
        instruments={programme.outcomes.map((o) => o.instrument)}
      />
    ) : null,
    open && journey.phase === 'in-hospital' && (coordinator || lead) ? (
      <ReportedDischargeForm key="reported-discharge" journey={journey} onDone={onChange} />
    ) : null,
    open && lead && where !== 'referred' && where !== 'triage' ? (
      <ReassignForm key="reassign" journey={journey} onDone={onChange} team={team} />
    ) : null,
    open && (coordinator || lead) ? (
      <CloseForm
        key="close"
        journey={journey}
        onDone={onChange}
        recordsPlaceOfDeath={programme?.recordsPlaceOfDeath ?? false}
        atClosure={(programme?.outcomes ?? []).filter((o) => o.atClosure !== false).map((o) => o.instrument)}
      />
    ) : null,
    user.role === 'ops' || user.role === 'admin' ? <BreakGlassForm key="break-glass" /> : null,
  ].filter(Boolean);
  const now = Date.now();
  return (
    <>
      <Header journey={journey} programmes={programmes} />
      {open &&
      (coordinator || lead) &&
      journey.coordinatorId !== user.sub &&
      ['assessment', 'care-planning', 'active'].includes(where) ? (
        <p className="notice" data-testid="cover-notice">
          {journey.coordinatorId
            ? `You are not this person's co-ordinator: what you record here is recorded as cover for ${coordinatorName(programmes, journey.coordinatorId)}.`
            : 'No co-ordinator is named yet: what you record here is recorded as cover.'}
        </p>
      ) : null}
      {where === 'triage' && open && journey.triageConcerns.length > 0 ? (
        <section className="notice" role="status" aria-labelledby="triage-concerns-heading">
          <h2 id="triage-concerns-heading">Waiting for a triage decision</h2>
          <p>This referral may not be eligible. A person decides; nothing closes it automatically:</p>
          <ul data-testid="triage-concerns">
            {journey.triageConcerns.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        </section>
      ) : null}
      <div className="grid journey">
        <div>
          <section aria-labelledby="deadlines-heading">
            <h2 id="deadlines-heading">Deadlines</h2>
            <DataTable
              caption="Deadlines and where each one's reminders and escalations stand"
              rows={journey.deadlines}
              rowKey={(d) => d.id}
              initialSort={{ key: 'due', direction: 'ascending' }}
              columns={[
                {
                  key: 'name',
                  header: 'Deadline',
                  cell: (d) => deadlineLabel(d.name, journey.carePlan?.actions, journey.mdtActions),
                  sortValue: (d) => d.name,
                },
                {
                  key: 'due',
                  header: 'Due',
                  cell: (d) => `${when(d.dueAt)} (${relative(d.dueAt, now)})`,
                  sortValue: (d) => d.dueAt,
                },
                {
                  key: 'status',
                  header: 'Status',
                  cell: (d) => (
                    <span className={`badge ${d.status}`}>
                      {d.paused ? 'paused (in hospital)' : d.status === 'met' ? `met ${when(d.metAt)}` : d.status}
                    </span>
                  ),
                  sortValue: (d) => d.status,
                },
                {
                  key: 'ladder',
                  header: 'Ladder',
                  cell: (d) =>
                    d.status === 'met'
                      ? '—'
                      : `${d.ladderStep} step${d.ladderStep === 1 ? '' : 's'} taken${d.nextStep ? `; next: ${d.nextStep.kind} to ${levelLabel[d.nextStep.notify === 'coordinator' ? 0 : d.nextStep.notify === 'team-lead' ? 1 : 2].toLowerCase()} ${offsetLabel(d.nextStep.at)}` : ''}`,
                },
              ]}
            />
          </section>
          {journey.carePlan ? (
            <CarePlanView
              journey={journey}
              onChange={onChange}
              canComplete={(coordinator || lead) && where === 'active'}
            />
          ) : null}
          {journey.mdtDiscussions.length ? (
            <MdtView journey={journey} onChange={onChange} canComplete={(coordinator || lead) && open} />
          ) : null}
          {journey.assessment ? (
            <section aria-labelledby="assessment-heading">
              <h2 id="assessment-heading">Assessment</h2>
              <p>{journey.assessment.summary}</p>
              {journey.assessment.whatMatters ? (
                <p>
                  <strong>What matters:</strong> {journey.assessment.whatMatters}
                </p>
              ) : null}
              <ul>
                {journey.assessment.needs.map((n, i) => (
                  <li key={i}>
                    <strong>{n.domain}:</strong> {n.description}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          <section aria-labelledby="stays-heading">
            <h2 id="stays-heading">Hospital stays</h2>
            {journey.hospitalStays.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <ul>
                {journey.hospitalStays.map((s) => (
                  <li key={s.stayNo}>
                    Admitted {when(s.admittedAt)}
                    {s.location ? ` to ${s.location}` : ''}
                    {s.dischargedAt ? `, discharged ${when(s.dischargedAt)}` : ', still in hospital'}
                    {s.readmission ? <span className="badge overdue">readmission</span> : null}
                  </li>
                ))}
              </ul>
            )}
          </section>
          {programme?.outcomes?.length ? <MeasuresView journey={journey} programme={programme} /> : null}
          <NotesView journey={journey} />
          <Timeline entries={journey.timeline} />
        </div>
        <aside aria-labelledby="actions-heading">
          <h2 id="actions-heading">Actions</h2>
          {forms.length ? forms : <p className="muted">Nothing for your role to do here now.</p>}
        </aside>
      </div>
    </>
  );
}

function CarePlanView({
  journey,
  onChange,
  canComplete,
}: {
  journey: JourneyDetail;
  onChange: (j: JourneyDetail) => void;
  canComplete: boolean;
}) {
  const plan = journey.carePlan!;
  return (
    <section aria-labelledby="plan-heading">
      <h2 id="plan-heading">Care plan (version {plan.version})</h2>
      <p className="muted">
        Agreed {when(plan.agreedAt)}
        {plan.agreedWithPatient ? ' with the person' : ` — not with the person: ${plan.notAgreedReason ?? ''}`}
        {plan.agreedWithCarer ? ' and their carer' : ''}.
      </p>
      <h3>Goals</h3>
      <ul>
        {plan.goals.map((g) => (
          <li key={g.id}>{g.description}</li>
        ))}
      </ul>
      <h3>Actions</h3>
      <ul className="plain">
        {plan.actions.map((a) => (
          <li key={a.id} className="plan-action">
            <ActionLine action={a} owner={a.owner} notes={a.completionNotes} />
            {canComplete && !a.completedAt ? (
              <CompleteActionForm action={a} journeyId={journey.id} onDone={onChange} />
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** An action, care plan's or MDT's: what, whose, when due, and whether it is done. */
function ActionLine({
  action,
  owner,
  notes,
}: {
  action: { description: string; due: string; completedAt?: string; completedBy?: string };
  owner: string;
  notes?: string | undefined;
}) {
  return (
    <span>
      <strong>{action.description}</strong> — {owner}, due {when(action.due)}{' '}
      {action.completedAt ? (
        <span className="badge met">
          done {day(action.completedAt)}
          {action.completedBy ? ` by ${action.completedBy}` : ''}
        </span>
      ) : null}
      {notes ? <span className="notes">{notes}</span> : null}
    </span>
  );
}

/**
 * The MDT meetings the journey was discussed at, and the actions agreed there: each is chased up
 * the ladder to its owner until someone marks it done.
 */
function MdtView({
  journey,
  onChange,
  canComplete,
}: {
  journey: JourneyDetail;
  onChange: (j: JourneyDetail) => void;
  canComplete: boolean;
}) {
  return (
    <section aria-labelledby="mdt-heading">
      <h2 id="mdt-heading">MDT</h2>
      <ul>
        {journey.mdtDiscussions.map((d) => (
          <li key={d.meetingId}>
            Discussed at the MDT on {day(`${d.heldOn}T12:00:00Z`)}, presented by {d.presenterId}
          </li>
        ))}
      </ul>
      {journey.mdtActions.length ? (
        <>
          <h3>Actions agreed</h3>
          <ul className="plain">
            {journey.mdtActions.map((a) => (
              <li key={a.id} className="plan-action">
                <ActionLine action={a} owner={a.ownerId} />
                {canComplete && !a.completedAt ? (
                  <ActionForm
                    title={`MDT action “${a.description}”`}
                    path={`mdt-actions/${encodeURIComponent(a.id)}/done`}
                    journeyId={journey.id}
                    submitLabel="Mark done"
                    onDone={onChange}
                    body={() => ({})}
                  >
                    {null}
                  </ActionForm>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

/** Completing a care-plan action, with what was done (kept in the record with the completion). */
function CompleteActionForm({
  action,
  journeyId,
  onDone,
}: {
  action: { id: string; description: string };
  journeyId: string;
  onDone: (j: JourneyDetail) => void;
}) {
  const [notes, setNotes] = useState('');
  return (
    <ActionForm
      title={`Complete “${action.description}”`}
      path={`actions/${encodeURIComponent(action.id)}/complete`}
      journeyId={journeyId}
      submitLabel="Mark done"
      onDone={onDone}
      body={() => (notes ? { notes } : {})}
    >
      <TextField label="Notes" hint="What was done (optional)" value={notes} onChange={setNotes} multiline />
    </ActionForm>
  );
}

/** A correction beside an entry: shown, not hidden, so the record reads as it happened. */
function EnteredInError({ mark }: { mark?: { reason: string; by: string; at: string } }) {
  return mark ? (
    <span className="badge overdue" title={`${mark.by}, ${when(mark.at)}`}>
      entered in error: {mark.reason}
    </span>
  ) : null;
}

/** Outcome measures, oldest first: each scale's score and band, baseline marked. */
function MeasuresView({ journey, programme }: { journey: JourneyDetail; programme: ProgrammeDirectory }) {
  const nameOf = (id: string) => programme.outcomes?.find((o) => o.instrument.id === id)?.instrument;
  return (
    <section aria-labelledby="measures-heading">
      <h2 id="measures-heading">Outcome measures</h2>
      {journey.measures.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <DataTable
          caption="Outcome measures recorded"
          rows={journey.measures}
          rowKey={(m) => `${m.instrument}-${m.at}-${m.seq ?? ''}`}
          initialSort={{ key: 'at', direction: 'ascending' }}
          columns={[
            { key: 'at', header: 'When', cell: (m) => when(m.at), sortValue: (m) => m.at },
            {
              key: 'measure',
              header: 'Measure',
              cell: (m) => nameOf(m.instrument)?.name ?? m.instrument,
              sortValue: (m) => m.instrument,
            },
            { key: 'occasion', header: 'Occasion', cell: (m) => m.occasion },
            {
              key: 'score',
              header: 'Score',
              cell: (m) => (
                <>
                  {m.scores
                    .map((x) => {
                      const scale = nameOf(m.instrument)?.scales.find((sc) => sc.id === x.scale);
                      return `${scale?.label ?? x.scale}: ${x.score}${x.band ? ` (${x.band})` : ''}`;
                    })
                    .join('; ')}{' '}
                  <EnteredInError mark={m.enteredInError} />
                </>
              ),
            },
          ]}
        />
      )}
    </section>
  );
}

/** Reviews and contacts, newest first, with what the person recording them wrote. */
function NotesView({ journey }: { journey: JourneyDetail }) {
  const items = [
    ...journey.reviews.map((r) => ({
      at: r.at,
      by: r.by,
      what: `Review: ${r.outcome}, risk ${r.riskTier}`,
      notes: r.notes,
      mark: r.enteredInError,
    })),
    ...journey.contacts.map((c) => ({
      at: c.at,
      by: c.by,
      what: `Contact (${c.kind}) by ${c.channel}${c.outcome && c.outcome !== 'reached' ? `: attempt, ${c.outcome.replace('-', ' ')}` : ''}`,
      notes: c.notes,
      mark: c.enteredInError,
    })),
  ].sort((a, b) => b.at.localeCompare(a.at));
  return (
    <section aria-labelledby="notes-heading">
      <h2 id="notes-heading">Reviews and contacts</h2>
      {items.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <ol className="plain">
          {items.map((i, n) => (
            <li key={`${i.at}-${n}`}>
              <time dateTime={i.at}>{when(i.at)}</time> <span className="muted">{i.by}</span> — {i.what}{' '}
              <EnteredInError mark={i.mark} />
              {i.notes ? <p className="notes">{i.notes}</p> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Timeline({ entries }: { entries: JourneyDetail['timeline'] }) {
  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      <ol className="timeline" reversed>
        {[...entries].reverse().map((e) => (
          <li key={`${e.seq}-${e.at}`}>
            <time dateTime={e.at}>{when(e.at)}</time> <span className="muted">{e.by}</span> — {e.detail}
          </li>
        ))}
      </ol>
    </section>
  );
}

function EarlierEpisode({ journey, programmes }: { journey: Earlier; programmes: ProgrammeDirectory[] }) {
  return (
    <>
      <Header journey={journey} programmes={programmes} />
      <p>
        This is an earlier, closed episode (closed {day(journey.closedAt)}
        {journey.closeReason ? `: ${journey.closeReason}` : ''}). Its summary and audit trail are kept.
      </p>
      <Timeline entries={journey.timeline} />
    </>
  );
}
