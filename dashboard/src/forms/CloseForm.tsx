import { useState } from 'react';
import { CheckField, SelectField, TextField } from '../components/Fields';
import { ActionForm, closeReasonOptions, type ActionProps } from './ActionForm';

/** Discharge from the programme, with the outcome the evaluation counts. */
export function CloseForm({ journey, onDone, recordsPlaceOfDeath }: ActionProps & { recordsPlaceOfDeath: boolean }) {
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
    </ActionForm>
  );
}
