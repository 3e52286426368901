import { useState } from 'react';
import { localToIso, SelectField, TextField } from '../components/Fields';
import { ActionForm, type ActionProps } from './ActionForm';

/**
 * A contact with the person or their carer, or an attempt at one. A post-discharge contact meets
 * that deadline only when it reached the person by phone, visit or video after the discharge.
 */
export function ContactForm({ journey, onDone }: ActionProps) {
  const waitingForContact = journey.deadlines.some((d) => d.name === 'post-discharge-contact' && d.status !== 'met');
  const [kind, setKind] = useState<'post-discharge' | 'routine' | 'crisis' | 'carer' | 'mdt' | ''>(
    waitingForContact ? 'post-discharge' : 'routine',
  );
  const [channel, setChannel] = useState<'phone' | 'visit' | 'video' | 'message' | ''>('phone');
  const [outcome, setOutcome] = useState<'reached' | 'no-answer' | 'message-left' | 'declined' | ''>('reached');
  const [at, setAt] = useState('');
  const [notes, setNotes] = useState('');
  return (
    <ActionForm
      title="Contact"
      path="contacts"
      journeyId={journey.id}
      submitLabel="Record contact"
      onDone={onDone}
      body={() => ({
        kind: kind || undefined,
        channel: channel || undefined,
        outcome: outcome || undefined,
        ...(at ? { at: localToIso(at) } : {}),
        ...(notes ? { notes } : {}),
      })}
    >
      <SelectField
        label="Kind"
        value={kind}
        required
        onChange={setKind}
        options={[
          { value: 'post-discharge', label: 'Post-discharge' },
          { value: 'routine', label: 'Routine' },
          { value: 'crisis', label: 'Crisis' },
          { value: 'carer', label: 'With the carer' },
          { value: 'mdt', label: 'MDT discussion' },
        ]}
      />
      <SelectField
        label="Channel"
        value={channel}
        required
        onChange={setChannel}
        options={[
          { value: 'phone', label: 'Phone' },
          { value: 'visit', label: 'Visit' },
          { value: 'video', label: 'Video' },
          { value: 'message', label: 'Message' },
        ]}
      />
      <SelectField
        label="Outcome"
        value={outcome}
        required
        onChange={setOutcome}
        options={[
          { value: 'reached', label: 'Spoke with them' },
          { value: 'no-answer', label: 'No answer' },
          { value: 'message-left', label: 'Left a message' },
          { value: 'declined', label: 'Declined' },
        ]}
      />
      <TextField label="When" hint="Leave empty for now" type="datetime-local" value={at} onChange={setAt} />
      <TextField label="Notes" value={notes} onChange={setNotes} multiline />
    </ActionForm>
  );
}
