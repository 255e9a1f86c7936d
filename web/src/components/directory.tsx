// Small pieces shared by the directory pages: names, freshness of a capacity in plain words, contact
// links, badges, and the loading of one record by id.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, asApiError, type DirCapacity, type DirSearchItem } from '../api';
import { t } from '../i18n';

const km = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });
const coord = new Intl.NumberFormat('en-US', { maximumFractionDigits: 5, useGrouping: false });

export const formatKm = (d: number) => km.format(d < 10 ? Math.round(d * 10) / 10 : Math.round(d));
export const formatCoord = (x: number) => coord.format(x);

/** « il y a 3 h » from a number of seconds. */
export function agoText(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 60) return t.directory.ago.now;
  if (s < 3600) return t.directory.ago.minutes(Math.floor(s / 60));
  if (s < 86400) return t.directory.ago.hours(Math.floor(s / 3600));
  return t.directory.ago.days(Math.floor(s / 86400));
}

/** Age of a capacity in seconds: the server's age_seconds (at load time), else from updated_at. */
export function capacityAge(c: Pick<DirCapacity, 'age_seconds' | 'updated_at'>, loadedAt = Date.now()): number {
  if (typeof c.age_seconds === 'number') return c.age_seconds + Math.max(0, (Date.now() - loadedAt) / 1000);
  const at = Date.parse(c.updated_at);
  return Number.isNaN(at) ? 0 : (Date.now() - at) / 1000;
}

export function personName(p: { civility?: string | null; first_name?: string | null; last_name?: string | null }) {
  return [p.civility, p.first_name, p.last_name].filter(Boolean).join(' ');
}
export function itemName(i: DirSearchItem) {
  return i.kind === 'professional' ? (personName(i) || i.name || i.id) : (i.name || i.id);
}

export function telHref(phone: string) { return 'tel:' + phone.replace(/[^\d+]/g, ''); }
/** The map of an address, found by the address itself (patients' addresses have no coordinates). */
export function mapHref(address: string) { return 'https://www.openstreetmap.org/search?query=' + encodeURIComponent(address); }

export function Phone({ phone }: { phone: string }) {
  return <a class="contact-link" href={telHref(phone)} aria-label={t.directory.call(phone)}>{phone}</a>;
}
export function Email({ email }: { email: string }) {
  return <a class="contact-link" href={'mailto:' + email} aria-label={t.directory.mailTo(email)}>{email}</a>;
}

/** « mis à jour il y a 3 h », with « par Paul Henriot » when the server names the account (not for the demo or an import). */
export function freshnessText(c: Pick<DirCapacity, 'age_seconds' | 'updated_at' | 'updated_by_name'>, loadedAt?: number) {
  return t.directory.updatedAgo(agoText(capacityAge(c, loadedAt)), c.updated_by_name);
}

/** One capacity: "12 places disponibles", "mis à jour il y a 3 h par …", and a textual stale mark. */
export function CapacityLine({ c, loadedAt }: { c: DirCapacity; loadedAt: number }) {
  return (
    <li class={c.stale ? 'capacity capacity--stale' : 'capacity'} data-testid={`capacity-${c.type}`}>
      <strong class="capacity__count">{t.directory.capacityText(c.count, c.unit, c.type)}</strong>
      <span class="capacity__fresh">{freshnessText(c, loadedAt)}</span>
      {c.stale && <span class="stale-mark" data-testid="stale"><span aria-hidden="true">⚠ </span>{t.directory.stale}</span>}
    </li>
  );
}

/** GET one record by id; `reload` refetches it. */
export function useRecord<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loadedAt, setLoadedAt] = useState(Date.now());
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    load().then((d) => { if (live) { setData(d); setLoadedAt(Date.now()); } })
      .catch((e) => { if (live) setError(asApiError(e)); });
    return () => { live = false; };
  }, [...deps, tick]);
  return { data, setData, error, loadedAt, reload: () => setTick((x) => x + 1) };
}

export function LoadError({ error }: { error: ApiError }) {
  return (
    <div class="error-summary" role="alert">
      <h2 class="error-summary__title">{error.status === 404 ? t.directory.notFound : t.directory.loadError}</h2>
      {error.status !== 404 && <p>{error.title}{error.detail ? ` — ${error.detail}` : ''}</p>}
    </div>
  );
}

/** Where "back to the directory" goes: the last search, with its filters. */
let lastSearch = '/annuaire';
export function rememberSearch(url: string) { lastSearch = url; }
export function searchBackHref() { return lastSearch; }
