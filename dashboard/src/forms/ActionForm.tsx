/**
 * The frame every journey action shares: a titled form that sends one request to the journey's
 * API, shows the API's problem (409 wrong phase, 422 refused, 400 with the failing fields) where the
 * person is looking, and hands the updated journey back to the page.
 */
import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError } from '../api';
import { ProblemAlert } from '../components/ProblemAlert';
import type { JourneyDetail } from '../types';

export interface ActionProps {
  journey: JourneyDetail;
  onDone: (updated: JourneyDetail) => void;
}

export function ActionForm({
  title,
  path,
  journeyId,
  body,
  onDone,
  submitLabel,
  children,
}: {
  title: string;
  path: string;
  journeyId: string;
  body: () => unknown;
  onDone: (j: JourneyDetail) => void;
  submitLabel: string;
  children: ReactNode;
}) {
  const headingId = useId();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  // The same action sent again after no answer (network error, 503) carries the same key, so the
  // API gives the first answer instead of doing it twice; an edited form is a new action.
  const unanswered = useRef<{ key: string; sent: string }>(undefined);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setDone(false);
    const payload = body();
    const sent = JSON.stringify(payload);
    if (unanswered.current?.sent !== sent) unanswered.current = { key: crypto.randomUUID(), sent };
    try {
      const updated = await api<JourneyDetail>('POST', `/journeys/${encodeURIComponent(journeyId)}/${path}`, payload, {
        idempotencyKey: unanswered.current.key,
      });
      unanswered.current = undefined;
      setError(undefined);
      setDone(true);
      onDone(updated);
    } catch (e) {
      const answered = e instanceof ApiError && e.problem.status > 0 && e.problem.status < 500;
      if (answered) unanswered.current = undefined;
      setError(
        e instanceof ApiError ? e : new ApiError({ status: 0, title: 'Network error', detail: (e as Error).message }),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="action card" aria-labelledby={headingId} onSubmit={submit} noValidate>
      <h3 id={headingId}>{title}</h3>
      {children}
      <ProblemAlert error={error} />
      {done ? (
        <p role="status" className="ok">
          Saved.
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : submitLabel}
      </button>
    </form>
  );
}

export const riskOptions = [
  { value: 'high' as const, label: 'High' },
  { value: 'medium' as const, label: 'Medium' },
  { value: 'low' as const, label: 'Low' },
];

export const closeReasonOptions = [
  { value: 'goals-met' as const, label: 'Goals met' },
  { value: 'deceased' as const, label: 'Died' },
  { value: 'declined' as const, label: 'Person declined' },
  { value: 'withdrawn' as const, label: 'Withdrawn' },
  { value: 'moved-away' as const, label: 'Moved away' },
  { value: 'transferred' as const, label: 'Transferred to another service' },
  { value: 'ineligible' as const, label: 'Not eligible' },
];
