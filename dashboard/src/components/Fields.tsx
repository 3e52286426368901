/**
 * Labelled form controls. Every control has a visible label tied to it by id, so it is named for
 * screen readers and clickable; native elements keep them reachable by keyboard.
 */
import { useId, type ReactNode } from 'react';

interface Base {
  label: string;
  hint?: string;
}

function Labelled({ id, label, hint, children }: Base & { id: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {children}
    </div>
  );
}

export function TextField({
  label,
  hint,
  value,
  onChange,
  required,
  multiline,
  type = 'text',
}: Base & {
  value: string;
  onChange: (v: string) => void;
  required?: boolean;
  multiline?: boolean;
  type?: 'text' | 'datetime-local' | 'date' | 'number';
}) {
  const id = useId();
  const common = { id, value, required, 'aria-describedby': hint ? `${id}-hint` : undefined };
  return (
    <Labelled id={id} label={label} {...(hint ? { hint } : {})}>
      {multiline ? (
        <textarea {...common} rows={3} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          type={type}
          {...(type === 'number' ? { min: 0, step: 1, inputMode: 'numeric' as const } : {})}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Labelled>
  );
}

export function SelectField<T extends string>({
  label,
  hint,
  value,
  onChange,
  options,
  required,
  emptyLabel = '(not given)',
}: Base & {
  value: T | '';
  onChange: (v: T) => void;
  options: { value: T; label: string }[];
  required?: boolean;
  /** What the empty choice says when one may choose nothing (a filter: "All"). */ emptyLabel?: string;
}) {
  const id = useId();
  return (
    <Labelled id={id} label={label} {...(hint ? { hint } : {})}>
      <select id={id} value={value} required={required} onChange={(e) => onChange(e.target.value as T)}>
        {required ? null : <option value="">{emptyLabel}</option>}
        {required && value === '' ? (
          <option value="" disabled>
            Choose…
          </option>
        ) : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Labelled>
  );
}

export function CheckField({
  label,
  hint,
  checked,
  onChange,
}: {
  label: string;
  hint?: string;
  checked: boolean;
  onChange: (v: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="field check">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        {...(hint ? { 'aria-describedby': `${id}-hint` } : {})}
      />
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      ) : null}
    </div>
  );
}

/** `datetime-local` gives local wall time without a zone; the API wants an instant. */
export const localToIso = (local: string) => (local ? new Date(local).toISOString() : '');
export function isoToLocal(iso: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${iso.getFullYear()}-${pad(iso.getMonth() + 1)}-${pad(iso.getDate())}T${pad(iso.getHours())}:${pad(iso.getMinutes())}`;
}
