import { useState } from 'react';
import { CheckField, isoToLocal, localToIso, TextField } from '../components/Fields';
import { ActionForm, type ActionProps } from './ActionForm';

/** The personalised care plan: goals, actions with owners and due dates, and who agreed it. */
export function CarePlanForm({ journey, onDone }: ActionProps) {
  const previous = journey.carePlan;
  const [goals, setGoals] = useState(previous?.goals.map((g) => g.description) ?? ['']);
  const inAWeek = isoToLocal(new Date(Date.now() + 7 * 86_400_000));
  const [actions, setActions] = useState(
    previous?.actions
      .filter((a) => !a.completedAt)
      .map((a) => ({ id: a.id, description: a.description, owner: a.owner, due: isoToLocal(new Date(a.due)) })) ?? [
      { id: '', description: '', owner: '', due: inAWeek },
    ],
  );
  const [agreedWithPatient, setAgreedWithPatient] = useState(true);
  const [agreedWithCarer, setAgreedWithCarer] = useState(false);
  const [notAgreedReason, setNotAgreedReason] = useState('');
  const setAction = (i: number, patch: Partial<(typeof actions)[number]>) =>
    setActions((list) => list.map((a, j) => (j === i ? { ...a, ...patch } : a)));
  // Kept actions keep their ids (and so their deadlines); new ones get ids not used in any version.
  const version = (previous?.version ?? 0) + 1;
  return (
    <ActionForm
      title={previous ? 'Revise the care plan' : 'Care plan'}
      path="care-plan"
      journeyId={journey.id}
      submitLabel={previous ? 'Agree revised plan' : 'Agree care plan'}
      onDone={onDone}
      body={() => ({
        goals: goals.filter((g) => g.trim()).map((description, i) => ({ id: `g${i + 1}`, description })),
        actions: actions
          .filter((a) => a.description.trim())
          .map((a, i) => ({
            id: a.id || `v${version}a${i + 1}`,
            description: a.description,
            owner: a.owner,
            due: localToIso(a.due),
          })),
        agreedWithPatient,
        agreedWithCarer,
        ...(notAgreedReason ? { notAgreedReason } : {}),
      })}
    >
      <fieldset>
        <legend>Goals</legend>
        {goals.map((g, i) => (
          <TextField
            key={i}
            label={`Goal ${i + 1}`}
            value={g}
            onChange={(v) => setGoals((list) => list.map((x, j) => (j === i ? v : x)))}
          />
        ))}
        <button type="button" className="secondary" onClick={() => setGoals((list) => [...list, ''])}>
          Add a goal
        </button>
      </fieldset>
      <fieldset>
        <legend>Actions</legend>
        {actions.map((a, i) => (
          <div className="row" key={i}>
            <TextField
              label={`Action ${i + 1}: what`}
              value={a.description}
              onChange={(description) => setAction(i, { description })}
            />
            <TextField label={`Action ${i + 1}: who`} value={a.owner} onChange={(owner) => setAction(i, { owner })} />
            <TextField
              label={`Action ${i + 1}: due`}
              type="datetime-local"
              value={a.due}
              onChange={(due) => setAction(i, { due })}
            />
          </div>
        ))}
        <button
          type="button"
          className="secondary"
          onClick={() => setActions((list) => [...list, { id: '', description: '', owner: '', due: inAWeek }])}
        >
          Add an action
        </button>
      </fieldset>
      <CheckField label="Agreed with the person" checked={agreedWithPatient} onChange={setAgreedWithPatient} />
      <CheckField label="Agreed with their carer" checked={agreedWithCarer} onChange={setAgreedWithCarer} />
      {agreedWithPatient ? null : (
        <TextField
          label="Why not agreed with the person"
          hint="For example, a best-interests decision"
          value={notAgreedReason}
          onChange={setNotAgreedReason}
          multiline
        />
      )}
    </ActionForm>
  );
}
