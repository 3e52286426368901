import { useState } from 'react';
import { SelectField, TextField } from '../components/Fields';
import { ActionForm, riskOptions, type ActionProps } from './ActionForm';

export function TriageForm({ journey, onDone }: ActionProps) {
  const [decision, setDecision] = useState<'accept' | 'decline' | ''>('');
  const [reason, setReason] = useState('');
  const [riskTier, setRiskTier] = useState<'high' | 'medium' | 'low' | ''>('');
  const [closeReason, setCloseReason] = useState<'ineligible' | 'declined' | 'withdrawn' | 'transferred' | ''>('');
  return (
    <ActionForm
      title="Triage"
      path="triage"
      journeyId={journey.id}
      submitLabel="Record triage decision"
      onDone={onDone}
      body={() => ({
        decision: decision || undefined,
        reason,
        ...(riskTier ? { riskTier } : {}),
        ...(decision === 'decline' && closeReason ? { closeReason } : {}),
      })}
    >
      <SelectField
        label="Decision"
        value={decision}
        required
        onChange={setDecision}
        options={[
          { value: 'accept', label: 'Accept into the programme' },
          { value: 'decline', label: 'Decline' },
        ]}
      />
      <TextField label="Reason" value={reason} onChange={setReason} required multiline />
      <SelectField
        label="Risk tier"
        hint="Leave unset to keep the scored tier"
        value={riskTier}
        onChange={setRiskTier}
        options={riskOptions}
      />
      {decision === 'decline' ? (
        <SelectField
          label="Why it closes"
          value={closeReason}
          onChange={setCloseReason}
          options={[
            { value: 'ineligible', label: 'Not eligible' },
            { value: 'declined', label: 'Person declined' },
            { value: 'withdrawn', label: 'Referral withdrawn' },
            { value: 'transferred', label: 'Went to another service' },
          ]}
        />
      ) : null}
    </ActionForm>
  );
}
