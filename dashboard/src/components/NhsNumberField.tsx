/**
 * An NHS number, checked as it is typed: ten digits (spaces or dashes as people write them) whose
 * last is the Modulus 11 check digit (domain/nhsNumber.ts, the same check the API makes). A
 * mistyped digit is caught here, while the referrer is still on the phone.
 */
import { useId, useState } from 'react';
import { normaliseNhsNumber } from '../../../domain/nhsNumber';

/** What is wrong with the number as typed so far, or undefined while it may yet be right. */
export function nhsNumberProblem(value: string, finished: boolean): string | undefined {
  const digits = value.replace(/[\s-]/g, '');
  if (digits === '') return finished ? 'Enter the NHS number' : undefined;
  if (!/^\d*$/.test(digits)) return 'An NHS number has digits only';
  if (digits.length > 10) return 'An NHS number has 10 digits';
  if (digits.length < 10) return finished ? 'An NHS number has 10 digits' : undefined;
  return normaliseNhsNumber(digits) ? undefined : 'This is not a valid NHS number: its check digit is wrong';
}

export function NhsNumberField({
  value,
  onChange,
  label = 'NHS number',
}: {
  value: string;
  onChange: (v: string) => void;
  label?: string;
}) {
  const id = useId();
  const [left, setLeft] = useState(false);
  const problem = nhsNumberProblem(value, left);
  return (
    <div className={`field${problem ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <span className="hint" id={`${id}-hint`}>
        10 digits, for example 943 476 5919
      </span>
      <span id={`${id}-error`} className="error-message" aria-live="polite" data-testid="nhs-number-error">
        {problem ?? ''}
      </span>
      <input
        id={id}
        inputMode="numeric"
        autoComplete="off"
        value={value}
        required
        aria-invalid={problem ? true : undefined}
        aria-describedby={`${id}-hint ${id}-error`}
        onChange={(e) => onChange(e.target.value)}
        onBlur={() => setLeft(true)}
      />
    </div>
  );
}
