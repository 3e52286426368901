/** How times and names read on screen (UK conventions, the viewer's time zone). */
import { parse } from 'tinyduration';
const dateTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const dateOnly = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

export const when = (iso: string | null | undefined) => (iso ? dateTime.format(new Date(iso)) : '—');
export const day = (iso: string | null | undefined) => (iso ? dateOnly.format(new Date(iso)) : '—');

/** "in 3 days", "2 hours ago": how far a due time is from now. */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const diff = Date.parse(iso) - now;
  const abs = Math.abs(diff);
  const [n, unit] =
    abs >= 86_400_000
      ? [Math.round(abs / 86_400_000), 'day']
      : abs >= 3_600_000
        ? [Math.round(abs / 3_600_000), 'hour']
        : [Math.max(1, Math.round(abs / 60_000)), 'minute'];
  const text = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}

export const phaseLabel: Record<string, string> = {
  referred: 'Referred',
  triage: 'Triage',
  assessment: 'Assessment',
  'care-planning': 'Care planning',
  active: 'Active',
  'in-hospital': 'In hospital',
  closed: 'Closed',
};

/**
 * `action:a1` → "Action: Fit grab rails" when the care plan is at hand (else "Action a1"),
 * `post-discharge-contact` → "Post-discharge contact".
 */
export function deadlineLabel(name: string, actions?: { id: string; description: string }[]): string {
  if (name.startsWith('action:')) {
    const id = name.slice('action:'.length);
    const action = actions?.find((a) => a.id === id);
    return action ? `Action: ${action.description}` : `Action ${id}`;
  }
  const text = name.replace(/-/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const levelLabel = ['Co-ordinator', 'Team lead', 'Service manager'] as const;

/** A journey id is long (programme, pseudonymous id, episode); its end is what people tell apart. */
export const shortId = (id: string) => `…${id.slice(-12)}`;

/** A ladder offset (`-PT20S`, `PT0S`, `P1D`) as people say it: "20 seconds before due", "when due". */
export function offsetLabel(iso: string): string {
  const d = parse(iso);
  const parts = (['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds'] as const)
    .filter((k) => d[k])
    .map((k) => `${d[k]} ${d[k] === 1 ? k.slice(0, -1) : k}`);
  if (parts.length === 0) return 'when due';
  return `${parts.join(' ')} ${d.negative ? 'before' : 'after'} due`;
}
