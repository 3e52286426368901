/**
 * Break glass: operations and admin staff looking into a stuck journey can decode its history in
 * the Temporal Web UI, but only by asking, with a reason, for a quarter of an hour at a time. The
 * API keeps the request for the IG lead and raises an alarm; this form says so before it is sent.
 */
import { useId, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { TextField } from '../components/Fields';
import { ProblemAlert } from '../components/ProblemAlert';
import { when } from '../format';

export function BreakGlassForm() {
  const headingId = useId();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [until, setUntil] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      // The answer sets the codec cookie: the API shares the dashboard's origin, so it is first-party.
      const session = await api<{ until: string }>('POST', '/auth/codec-session', { reason });
      setError(undefined);
      setUntil(session.until);
    } catch (e) {
      setError(
        e instanceof ApiError ? e : new ApiError({ status: 0, title: 'Network error', detail: (e as Error).message }),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="action card" aria-labelledby={headingId} onSubmit={submit} noValidate data-testid="break-glass">
      <h3 id={headingId}>Decode history in Temporal (break glass)</h3>
      <p className="muted">
        Opens this browser&apos;s Temporal Web UI to what staff recorded, for 15 minutes. Your name and reason are kept
        for the IG lead, and whoever watches the service is alerted.
      </p>
      <TextField
        label="Reason"
        hint="The incident or fault you are looking into"
        value={reason}
        onChange={setReason}
        required
        multiline
      />
      <ProblemAlert error={error} />
      {until ? (
        <p role="status" className="ok">
          Decoding is open until {when(until)}.
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        {busy ? 'Asking…' : 'Break glass'}
      </button>
    </form>
  );
}
