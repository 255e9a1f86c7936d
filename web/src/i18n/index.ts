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
