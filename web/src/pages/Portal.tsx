import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, isApiError, type Favorite, type Portal as PortalData } from '../api';
import { Page } from '../components/Page';
import { ServiceIcon } from '../components/icons';
import { ErrorSummary, Loading, Status, SubmitButton, TextField, fieldErrorsOf, type FieldErrors } from '../components/forms';
import { t } from '../i18n';
import { me, isApprover, flash } from '../state/session';
import { DeviceCodeOffer } from '../components/DeviceCodeOffer';
import { codeChecked } from '../offline/sync';

const ORDER = ['directory', 'patients', 'messages', 'agenda', 'pathways', 'approvals', 'audit'];
const HREF: Record<string, string> = {
  directory: '/annuaire', patients: '/patients', messages: '/messages', agenda: '/agenda', pathways: '/parcours',
  approvals: '/approbations', audit: '/journal',
};

function newKey() {
  return (crypto as Crypto & { randomUUID?: () => string }).randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** Each tile counts what it says ("6 patients suivis · 2 alertes"); a tile with nothing to count shows no badge. */
function TileCount({ service, followed, alerts }: { service: PortalData['services'][number]; followed?: number; alerts: number | null }) {
  if (service.key === 'patients') {
    const n = followed ?? null;
    if (n === null && alerts === null) return null;
    return (
      <span class="badge" data-testid="patients-count">
        {[n !== null ? t.portal.followedPatients(n) : null, alerts ? t.portal.alertsShort(alerts) : null].filter(Boolean).join(' · ')}
      </span>
    );
  }
  if (service.key === 'messages' && typeof service.count === 'number')
    return <span class="badge" data-testid="messages-count">{service.count ? t.messages.unread(service.count) : t.portal.noUnread}</span>;
  if (service.key === 'approvals' && typeof service.count === 'number') return <span class="badge">{t.approvals.count(service.count)}</span>;
  return null;
}

export function Portal() {
  const user = me.value!;
  const [portal, setPortal] = useState<PortalData | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [favs, setFavs] = useState<Favorite[] | null>(null);
  const [label, setLabel] = useState('');
  const [url, setUrl] = useState('');
  const [key, setKey] = useState(newKey);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [status, setStatus] = useState<string | null>(null);
  const [openAlerts, setOpenAlerts] = useState<number | null>(null);
  // What the page that led here had to say (e.g. an account just linked to Pro Santé Connect), announced once.
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    const text = flash.value === 'pscLinked' ? t.psc.linked : null;
    if (text) { flash.value = null; setNotice(text); }
  }, []);

  useEffect(() => {
    api.portal().then((p) => {
      setPortal(p);
      // Older servers have no open_alerts in the portal: ask the alerts list (operators get none).
      if (typeof p.open_alerts === 'number') setOpenAlerts(p.open_alerts);
      else if (user.role !== 'operator') api.openAlerts().then((r) => setOpenAlerts(r.count ?? r.items.length)).catch(() => setOpenAlerts(null));
    }).catch((e) => setLoadError(isApiError(e) ? e : null));
    api.favorites().then((r) => setFavs(r.items)).catch(() => setFavs([]));
  }, []);

  const add = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    const e: FieldErrors = {};
    if (!label.trim()) e.label = t.common.fieldRequired;
    if (!/^(\/[^/]|\/$|https:\/\/)/.test(url.trim())) e.url = t.portal.favoriteUrlInvalid;
    setErrors(e); setProblem(null);
    if (Object.keys(e).length) return;
    setBusy(true);
    try {
      const item = await api.addFavorite(label.trim(), url.trim(), key);
      setFavs((old) => [...(old ?? []).filter((x) => x.id !== item.id), item]);
      setStatus(t.portal.favoriteAdded(item.label));
      setLabel(''); setUrl(''); setKey(newKey());
    } catch (err) { setProblem(isApiError(err) ? err : null); setErrors(fieldErrorsOf(err)); }
    finally { setBusy(false); }
  };
  const remove = async (f: Favorite) => {
    try {
      await api.removeFavorite(f.id);
      setFavs((old) => (old ?? []).filter((x) => x.id !== f.id));
      setStatus(t.portal.favoriteRemoved(f.label));
    } catch (err) { setProblem(isApiError(err) ? err : null); }
  };

  const services = portal ? [...portal.services].sort((a, b) => ORDER.indexOf(a.key) - ORDER.indexOf(b.key)) : [];
  const pending = portal?.counters.pending_enrolments ?? 0;
  // What sits under the greeting appears in one go, once the portal answered and the device's offline state is known:
  // shown piece by piece, each piece would push the others down the screen (Lighthouse's layout shift).
  const ready = (portal || loadError) && codeChecked.value;

  return (
    <Page title={t.portal.title} heading={<span data-testid="greeting">{t.portal.greeting(`${user.first_name} ${user.last_name}`)}</span>} intro={t.portal.intro}>
      <Status message={notice} />
      {!ready ? <Loading /> : (<>
        {user.role !== 'operator' && <DeviceCodeOffer />}
        {loadError && <div class="error-summary" role="alert"><h2 class="error-summary__title">{loadError.title}</h2><p>{loadError.detail}</p></div>}
        {portal && (isApprover.value || openAlerts !== null) && (
          <section class="card counters" aria-labelledby="counters-title">
            <h2 id="counters-title">{t.portal.countersTitle}</h2>
            {openAlerts !== null && (<>
              <p class="counter" data-testid="open-alerts-count"><strong>{t.portal.openAlerts(openAlerts)}</strong></p>
              {openAlerts > 0 && <p><a href="/alertes">{t.portal.seeAlerts}</a></p>}
          </>)}
          {isApprover.value && (<>
            <p class="counter" data-testid="pending-count"><strong>{t.portal.pendingEnrolments(pending)}</strong></p>
            {pending > 0 && <p><a href="/approbations">{t.portal.seeApprovals}</a></p>}
          </>)}
        </section>
      )}
      <section aria-labelledby="services-title">
        <h2 id="services-title">{t.portal.servicesTitle}</h2>
        {portal && (
          <ul class="tiles">
            {services.map((s0) => {
              // The directory and patient pages exist in this app: their tiles are links even if the server still says otherwise.
              const s = s0.key === 'directory' || s0.key === 'patients' ? { ...s0, available: true } : s0;
              const txt = t.portal.services[s.key] ?? { name: s.key, desc: '' };
              const inner = (<>
                <span class="tile__icon"><ServiceIcon name={s.key} /></span>
                <span class="tile__name">{txt.name}</span>
                <span class="tile__desc">{txt.desc}</span>
                {s.available && <TileCount service={s} followed={portal?.counters.followed_patients} alerts={openAlerts} />}
                {!s.available && <span class="badge badge--muted">{t.portal.soon}</span>}
              </>);
              return (
                <li key={s.key} class={s.available ? 'tile' : 'tile tile--soon'} data-service={s.key}>
                  {s.available && HREF[s.key] ? <a class="tile__link" href={HREF[s.key]}>{inner}</a> : <div class="tile__body">{inner}</div>}
                </li>
              );
            })}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="favs-title">
        <h2 id="favs-title">{t.portal.favoritesTitle}</h2>
        <Status message={status} />
        {favs === null ? <Loading /> : favs.length === 0 ? <p class="muted">{t.portal.favoritesEmpty}</p> : (
          <ul class="favs" data-testid="favorites">
            {favs.map((f) => (
              <li key={f.id}>
                {f.url.startsWith('/') ? <a href={f.url}>{f.label}</a> : <a href={f.url} rel="noopener noreferrer external" target="_blank">{f.label}</a>}
                <button type="button" class="btn btn--ghost btn--small" aria-label={t.portal.favoriteRemove(f.label)} onClick={() => remove(f)}>
                  {t.portal.favoriteRemoveShort}
                </button>
              </li>
            ))}
          </ul>
        )}
        <ErrorSummary problem={problem} fields={errors} labels={{ label: t.portal.favoriteLabel, url: t.portal.favoriteUrl }} />
        <form class="form form--inline" onSubmit={add} noValidate aria-busy={busy ? 'true' : undefined}>
          <TextField name="label" label={t.portal.favoriteLabel} required value={label} onValue={setLabel} error={errors.label} maxLength={200} />
          <TextField name="url" label={t.portal.favoriteUrl} hint={t.portal.favoriteUrlHint} required value={url} onValue={setUrl} error={errors.url}
            inputMode="url" autoCapitalize="none" spellcheck={false} maxLength={2000} />
          <div class="actions"><SubmitButton busy={busy} label={t.portal.favoriteAdd} busyLabel={t.portal.favoriteAdding} class="btn btn--secondary" /></div>
        </form>
      </section>
      </>)}
    </Page>
  );
}
