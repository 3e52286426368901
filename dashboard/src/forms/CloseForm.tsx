import { useState } from 'react';
import type { Instrument } from '../../../domain/outcomeMeasures';
import { CheckField, SelectField, TextField } from '../components/Fields';
import { ActionForm, closeReasonOptions, type ActionProps } from './ActionForm';
import { MeasureItems } from './MeasureItems';

/**
 * Discharge from the programme, with the outcome the evaluation counts, and the outcome measures
 * the programme takes at closure (each one ticked to take it; none after a death). A closure
 * without them is allowed, and evaluation counts it as not measured.
 */
export function CloseForm({
  journey,
  onDone,
  recordsPlaceOfDeath,
  atClosure = [],
}: ActionProps & { recordsPlaceOfDeath: boolean; atClosure?: Instrument[] }) {
  const [taken, setTaken] = useState<Record<string, Record<string, number> | undefined>>({});
  const [reason, setReason] = useState<(typeof closeReasonOptions)[number]['value'] | ''>('');
  const [goalsMet, setGoalsMet] = useState<'all' | 'some' | 'none' | ''>('');
  const [placeOfDeathAchieved, setPlaceOfDeathAchieved] = useState(false);
  const [notes, setNotes] = useState('');
  return (
    <ActionForm
      title="Close the journey"
      path="close"
      journeyId={journey.id}
      submitLabel="Close journey"
      onDone={onDone}
      body={() => ({
        reason: reason || undefined,
        outcome: {
          ...(goalsMet ? { goalsMet } : {}),
          ...(recordsPlaceOfDeath && reason === 'deceased' ? { placeOfDeathAchieved } : {}),
          ...(notes ? { notes } : {}),
        },
        ...(reason !== 'deceased' && atClosure.some((i) => taken[i.id])
          ? {
              measures: atClosure.filter((i) => taken[i.id]).map((i) => ({ instrument: i.id, answers: taken[i.id]! })),
            }
          : {}),
      })}
    >
      <SelectField label="Reason" value={reason} required onChange={setReason} options={closeReasonOptions} />
      <SelectField
        label="Goals met"
        value={goalsMet}
        onChange={setGoalsMet}
        options={[
          { value: 'all', label: 'All' },
          { value: 'some', label: 'Some' },
          { value: 'none', label: 'None' },
        ]}
      />
      {recordsPlaceOfDeath && reason === 'deceased' ? (
        <CheckField
          label="Died in their preferred place"
          checked={placeOfDeathAchieved}
          onChange={setPlaceOfDeathAchieved}
        />
      ) : null}
      <TextField label="Notes" value={notes} onChange={setNotes} multiline />
      {reason && reason !== 'deceased'
        ? atClosure.map((instrument) => (
            <div key={instrument.id}>
              <CheckField
                label={`Take ${instrument.name} at closure`}
                checked={!!taken[instrument.id]}
                onChange={(on) => setTaken((t) => ({ ...t, [instrument.id]: on ? {} : undefined }))}
              />
              {taken[instrument.id] ? (
                <MeasureItems
                  instrument={instrument}
                  answers={taken[instrument.id]!}
                  onAnswer={(item, index) =>
                    setTaken((t) => ({ ...t, [instrument.id]: { ...t[instrument.id], [item]: index } }))
                  }
                />
              ) : null}
            </div>
          ))
        : null}
    </ActionForm>
  );
}
