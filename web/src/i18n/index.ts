import { fr } from './fr';

// The app speaks French only for now; every component reads its strings from `t`.
export const t = fr;

const dateTime = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Paris' });
const dateOnly = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}
export function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateOnly.format(d);
}
export function formatWait(seconds: number): string {
  if (seconds < 60) return t.duration.seconds(Math.max(1, Math.round(seconds)));
  return t.duration.minutes(Math.ceil(seconds / 60));
}

const timeOnly = new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' });
const dayShort = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeZone: 'Europe/Paris' });
const dateTimeShort = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' });

/** "14:05" in Europe/Paris. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : timeOnly.format(d);
}
/** "12/03/2026" in Europe/Paris. */
export function formatDay(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dayShort.format(d);
}
/** "12/03/2026 14:05" in Europe/Paris. */
export function formatDateTimeShort(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTimeShort.format(d);
}
/** A birth date of the RNIV (YYYY-MM-DD with 00 for unknown parts): "12/03/1948", "03/1948" or "1948". */
export function formatBirthDate(d: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d ?? '');
  if (!m) return d ?? '';
  const [, y, mo, da] = m;
  if (mo === '00') return y;
  if (da === '00') return `${mo}/${y}`;
  return `${da}/${mo}/${y}`;
}

/**
 * Age in words from a birth date with 00 for an unknown day or month: "87 ans", "18 mois" under 2 years, "environ
 * 80 ans" when the month is unknown (the birthday may or may not have passed). Empty for an unreadable date.
 */
/** Whole years from a birth date (00 parts read as January / the 1st), null for an unreadable date. */
function years(birth: string, today: Date): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birth ?? '');
  if (!m) return null;
  const mo = +m[2] || 1, d = +m[3] || 1;
  const before = today.getMonth() + 1 < mo || (today.getMonth() + 1 === mo && today.getDate() < d);
  return today.getFullYear() - +m[1] - (before ? 1 : 0);
}

/** "Femme", "Homme", "Fille", "Garçon" (under 18): the sex in the words of a list of people. */
export function personWord(sex: string, birth: string, today = new Date()): string {
  const y = years(birth, today);
  return t.identity.person[`${sex}${y !== null && y < 18 ? '-minor' : ''}`] ?? t.identity.sex[sex] ?? sex;
}

export function ageText(birth: string, today = new Date()): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birth ?? '');
  if (!m) return '';
  const y = +m[1], mo = +m[2], d = +m[3];
  const ty = today.getFullYear(), tm = today.getMonth() + 1, td = today.getDate();
  if (!mo) return t.patients.age(Math.max(0, ty - y - 1), true);
  let months = (ty - y) * 12 + (tm - mo) - (d && td < d ? 1 : 0);
  months = Math.max(0, months);
  if (months < 24) return t.patients.ageMonths(months);
  return t.patients.age(Math.floor(months / 12), false);
}
