import { useState } from 'react';
import { CheckField, localToIso, TextField } from '../components/Fields';
import { ActionForm, type ActionProps } from './ActionForm';

/**
 * A discharge the hospital's feed will not send: the person went home from (or died in) a hospital
 * outside carepath's feeds, usually after a transfer, and someone said so (HAZ-20). Recorded as
 * what that person reported, it restarts the clocks and opens the follow-up as an A03 would.
 */
export function ReportedDischargeForm({ journey, onDone }: ActionProps) {
  const [at, setAt] = useState('');
  const [reportedBy, setReportedBy] = useState('');
  const [died, setDied] = useState(false);
  const [notes, setNotes] = useState('');
  const transferred = journey.hospitalStays.at(-1)?.transferredOut !== undefined;
  return (
    <ActionForm
      title="Discharge reported by phone"
      path="reported-discharge"
      journeyId={journey.id}
      submitLabel="Record the discharge"
      onDone={onDone}
      body={() => ({
        at: at ? localToIso(at) : undefined,
        reportedBy,
        ...(died ? { died: true } : {}),
        ...(notes ? { notes } : {}),
      })}
    >
      <p className="hint">
        {transferred ? 'The person was transferred to a hospital that does not send carepath its discharges. ' : ''}
        Record a discharge here only when the hospital will not send it.
      </p>
      <TextField label="When they left hospital" type="datetime-local" value={at} onChange={setAt} required />
      <TextField
        label="Who told you"
        hint="For example: Ward 9 nurse in charge, Leeds General; or the person's daughter"
        value={reportedBy}
        onChange={setReportedBy}
        required
      />
      <CheckField label="The person died in hospital" checked={died} onChange={setDied} />
      <TextField label="Notes" value={notes} onChange={setNotes} multiline />
    </ActionForm>
  );
}
