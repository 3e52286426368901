/**
 * How times and names read on screen: UK conventions, in Europe/London time whatever the viewer's
 * machine is set to, since the service, its working day and its deadlines are in England.
 */
import { parse } from 'tinyduration';
import type { PersonShown } from '../../domain/person';
const LONDON = 'Europe/London';
const dateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON,
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const dateOnly = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON,
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
const londonDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: LONDON,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const londonTime = new Intl.DateTimeFormat('en-GB', { timeZone: LONDON, hour: '2-digit', minute: '2-digit' });
const londonWeekday = new Intl.DateTimeFormat('en-GB', { timeZone: LONDON, weekday: 'long' });
const londonShortDate = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON,
  weekday: 'short',
  day: 'numeric',
  month: 'short',
});

/** The London calendar day of an instant, as a day number (for "today", "tomorrow"). */
const dayNumber = (at: number) => {
  const [y, m, d] = londonDay.format(at).split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / 86_400_000;
};
const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/**
 * A due time the way people say it, in London time: "due today at 14:00", "due tomorrow at
 * 09:00", "due Thursday at 09:00" within the week, "due Thu 12 Dec at 09:00" after it; once past,
 * "overdue 3 days" (or hours, or minutes).
 */
export function dueWords(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const at = Date.parse(iso);
  if (at <= now) {
    const late = now - at;
    if (late >= 86_400_000) return `overdue ${plural(Math.floor(late / 86_400_000), 'day')}`;
    if (late >= 3_600_000) return `overdue ${plural(Math.floor(late / 3_600_000), 'hour')}`;
    return `overdue ${plural(Math.max(1, Math.floor(late / 60_000)), 'minute')}`;
  }
  const days = dayNumber(at) - dayNumber(now);
  const time = londonTime.format(at);
  if (days === 0) return `due today at ${time}`;
  if (days === 1) return `due tomorrow at ${time}`;
  if (days < 7) return `due ${londonWeekday.format(at)} at ${time}`;
  return `due ${londonShortDate.format(at)} at ${time}`;
}

/** "Jane Doe (943 476 5919)": the person as a sentence names them. */
export const personWords = (p: PersonShown) => `${p.givenName} ${p.familyName} (${p.nhsNumber})`;

export const when = (iso: string | null | undefined) => (iso ? dateTime.format(new Date(iso)) : '—');

/** A message from the journey with each UTC timestamp in it said as a London date and time. */
export const messageWords = (text: string) =>
  text.replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g, (iso) => when(iso));
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
export function deadlineLabel(
  name: string,
  actions?: { id: string; description: string }[],
  mdtActions?: { id: string; description: string }[],
): string {
  if (name.startsWith('mdt-action:')) {
    const id = name.slice('mdt-action:'.length);
    const action = mdtActions?.find((a) => a.id === id);
    return action ? `MDT action: ${action.description}` : `MDT action ${id}`;
  }
  if (name.startsWith('action:')) {
    const id = name.slice('action:'.length);
    const action = actions?.find((a) => a.id === id);
    return action ? `Action: ${action.description}` : `Action ${id}`;
  }
  if (name.startsWith('measure:')) return `Outcome measure: ${name.slice('measure:'.length).toUpperCase()}`;
  const text = name.replace(/-/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const levelLabel = ['Co-ordinator', 'Team lead', 'Service manager'] as const;

/** A journey id is long (programme, pseudonymous id, episode); its end is what people tell apart. */
export const shortId = (id: string) => `…${id.slice(-12)}`;

/** How a list names a journey: the person, when the viewer may see who it is; else its id. */
export const journeyLabel = (j: { id: string; person?: PersonShown | undefined }) =>
  j.person ? j.person.name : shortId(j.id);

/** A ladder offset (`-PT20S`, `PT0S`, `P1D`) as people say it: "20 seconds before due", "when due". */
export function offsetLabel(iso: string): string {
  const d = parse(iso);
  const parts = (['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds'] as const)
    .filter((k) => d[k])
    .map((k) => `${d[k]} ${d[k] === 1 ? k.slice(0, -1) : k}`);
  if (parts.length === 0) return 'when due';
  return `${parts.join(' ')} ${d.negative ? 'before' : 'after'} due`;
}
