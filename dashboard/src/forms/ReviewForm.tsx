import { useState } from 'react';
import { SelectField, TextField } from '../components/Fields';
import { ActionForm, closeReasonOptions, riskOptions, type ActionProps } from './ActionForm';

export function ReviewForm({ journey, onDone }: ActionProps) {
  const [outcome, setOutcome] = useState<'continue' | 'step-down' | 'close' | ''>('');
  const [riskTier, setRiskTier] = useState<'high' | 'medium' | 'low' | ''>('');
  const [notes, setNotes] = useState('');
  const [closeReason, setCloseReason] = useState<(typeof closeReasonOptions)[number]['value'] | ''>('');
  return (
    <ActionForm
      title="Review"
      path="reviews"
      journeyId={journey.id}
      submitLabel="Record review"
      onDone={onDone}
      body={() => ({
        outcome: outcome || undefined,
        notes,
        ...(riskTier ? { riskTier } : {}),
        ...(outcome === 'close' && closeReason ? { closeReason } : {}),
      })}
    >
      <SelectField
        label="Outcome"
        value={outcome}
        required
        onChange={setOutcome}
        options={[
          { value: 'continue', label: 'Continue' },
          { value: 'step-down', label: 'Step down (lower risk tier)' },
          { value: 'close', label: 'Close the journey' },
        ]}
      />
      <SelectField
        label="Risk tier"
        hint="Sets when the next review falls due"
        value={riskTier}
        onChange={setRiskTier}
        options={riskOptions}
      />
      <TextField label="Notes" value={notes} onChange={setNotes} required multiline />
      {outcome === 'close' ? (
        <SelectField label="Why it closes" value={closeReason} onChange={setCloseReason} options={closeReasonOptions} />
      ) : null}
    </ActionForm>
  );
}
