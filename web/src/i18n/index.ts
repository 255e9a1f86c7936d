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
