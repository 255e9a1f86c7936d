// /annuaire: search-as-you-type on GET /directory/search with filters and facet counts. The query lives
// in the URL: typing rewrites it (replaceState, debounced), filters and pages push a new entry, so that a
// search can be shared and the back button undoes a filter or a page.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, asApiError, type DirSearch, type DirSearchQuery } from '../api';
import { Page } from '../components/Page';
import { FieldShell, SelectField, TextField } from '../components/forms';
import { formatKm, itemName, rememberSearch } from '../components/directory';
import { t } from '../i18n';
import { navigate, route } from '../router';

const TEXT_KEYS = ['q', 'lieu', 'has_capacity'] as const;
type TextKey = typeof TEXT_KEYS[number];
const FILTER_KEYS = ['kind', 'profession', 'departement', 'lieu', 'practice_mode', 'lat', 'has_capacity'];
const RADII = [2, 5, 10, 20, 50];
const DEFAULT_RADIUS = '10';

function readText(p: URLSearchParams): Record<TextKey, string> {
  return { q: p.get('q') ?? '', lieu: p.get('lieu') ?? '', has_capacity: p.get('has_capacity') ?? '' };
}

/** URL parameters → API query: "lieu" is a postal code when it has 5 digits, else a commune. */
function toApi(p: URLSearchParams): DirSearchQuery {
  const v = (k: string) => (p.get(k) ?? '').trim() || undefined;
  const lieu = v('lieu');
  const page = Number(p.get('page'));
  const hasPoint = !!(v('lat') && v('lon'));
  return {
    q: v('q')?.slice(0, 200), kind: v('kind'), profession: v('profession'), departement: v('departement'),
    commune: lieu && !/^\d{5}$/.test(lieu) ? lieu : undefined, postal_code: lieu && /^\d{5}$/.test(lieu) ? lieu : undefined,
    practice_mode: v('practice_mode'), has_capacity: v('has_capacity'),
    lat: hasPoint ? v('lat') : undefined, lon: hasPoint ? v('lon') : undefined,
    radius_km: hasPoint ? (v('radius_km') ?? DEFAULT_RADIUS) : undefined,
    page: Number.isInteger(page) && page > 1 ? page : undefined,
  };
}

function hrefWith(p: URLSearchParams, changes: Record<string, string | null>) {
  const next = new URLSearchParams(p);
  for (const [k, val] of Object.entries(changes)) if (val === null || val === '') next.delete(k); else next.set(k, val);
  if (!('page' in changes)) next.delete('page');
  const s = next.toString();
  return '/annuaire' + (s ? '?' + s : '');
}

export function DirectorySearch() {
  const params = route.value.query;
  const qs = params.toString();
  const [text, setText] = useState(() => readText(params));
  const written = useRef(qs);
  const [result, setResult] = useState<DirSearch | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [geoMsg, setGeoMsg] = useState<string | null>(null);
  const [locating, setLocating] = useState(false);
  const resultsTitle = useRef<HTMLHeadingElement>(null);
  const activeCount = FILTER_KEYS.filter((k) => (params.get(k) ?? '').trim()).length;
  const [filtersOpen] = useState(() => activeCount > 0 || window.matchMedia?.('(min-width: 56rem)').matches);

  const update = (changes: Record<string, string | null>, { push = true } = {}) => {
    const href = hrefWith(route.value.query, changes);
    written.current = new URL(href, window.location.origin).searchParams.toString();
    navigate(href, { replace: !push, scroll: false });
  };

  // The URL changed under us (back button, a link): the text fields follow it.
  useEffect(() => {
    if (qs !== written.current) { written.current = qs; setText(readText(params)); }
    rememberSearch('/annuaire' + (qs ? '?' + qs : ''));
  }, [qs]);

  // Typed text reaches the URL 150 ms after the last key.
  useEffect(() => {
    const cur = route.value.query;
    const changes: Record<string, string | null> = {};
    for (const k of TEXT_KEYS) if ((cur.get(k) ?? '') !== text[k]) changes[k] = text[k];
    if (!Object.keys(changes).length) return;
    const timer = setTimeout(() => update(changes, { push: false }), 150);
    return () => clearTimeout(timer);
  }, [text.q, text.lieu, text.has_capacity]);

  // One request per distinct query; a newer query aborts the older one. The facets are disjunctive (each
  // group is counted as if its own filter were not set), so the other values of a filtered group stay choosable.
  const query = toApi(params);
  const key = JSON.stringify(query);
  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    api.directorySearch(query, ctrl.signal)
      .then((r) => { setResult(r); setError(null); setLoading(false); })
      .catch((e) => {
        if (ctrl.signal.aborted || (e as Error)?.name === 'AbortError') return;
        setError(asApiError(e));
        setLoading(false);
      });
    return () => ctrl.abort();
  }, [key]);

  // When "autour de moi" is switched on or off, its control disappears: the focus goes to the one that replaces it.
  const nearNow = !!(params.get('lat') && params.get('lon'));
  const nearBefore = useRef(nearNow);
  useEffect(() => {
    if (nearBefore.current === nearNow) return;
    nearBefore.current = nearNow;
    const el = document.getElementById(nearNow ? 'f-radius_km' : 'near-button');
    if (el && el.closest('details')?.open) el.focus();
  }, [nearNow]);

  const setField = (k: TextKey) => (v: string) => setText((o) => ({ ...o, [k]: v }));

  const locate = () => {
    setGeoMsg(null);
    if (!('geolocation' in navigator)) { setGeoMsg(t.directory.geoUnsupported); return; }
    setLocating(true);
    navigator.geolocation.getCurrentPosition((pos) => {
      setLocating(false);
      update({
        lat: pos.coords.latitude.toFixed(4), lon: pos.coords.longitude.toFixed(4),
        radius_km: route.value.query.get('radius_km') || DEFAULT_RADIUS,
      });
    }, (err) => {
      setLocating(false);
      setGeoMsg(err.code === err.PERMISSION_DENIED ? t.directory.geoDenied : t.directory.geoUnavailable);
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
  };

  const goPage = (n: number) => (e: MouseEvent) => {
    e.preventDefault();
    update({ page: n > 1 ? String(n) : null });
    resultsTitle.current?.focus();
  };

  const facets = result?.facets ?? {};
  const kind = params.get('kind') ?? '';
  const profession = params.get('profession') ?? '';
  const departement = params.get('departement') ?? '';
  const mode = params.get('practice_mode') ?? '';
  const near = !!(params.get('lat') && params.get('lon'));
  const radius = params.get('radius_km') || DEFAULT_RADIUS;
  const professions = [...(facets.profession ?? [])];
  if (profession && !professions.some((p) => p.code === profession)) {
    professions.unshift({ code: profession, label: t.professions[profession] ?? profession, count: 0 });
  }
  const departements = [...(facets.departement ?? [])];
  if (departement && !departements.some((d) => d.code === departement)) departements.unshift({ code: departement, count: 0 });
  const modes = ['L', 'S', 'B'];
  const modeCount = (c: string) => facets.practice_mode?.find((m) => m.code === c)?.count;
  const kindCounts = facets.kind ?? {};
  const kindTotal = kindCounts.professional !== undefined || kindCounts.structure !== undefined
    ? (kindCounts.professional ?? 0) + (kindCounts.structure ?? 0) : undefined;

  const page = result?.page ?? 1;
  const perPage = result?.per_page || 20;
  const pages = result ? Math.max(1, Math.ceil(result.total / perPage)) : 1;

  return (
    <Page title={t.directory.title} intro={t.directory.intro}>
      <form class="directory-search" role="search" aria-label={t.directory.title} noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const changes: Record<string, string | null> = {};
          for (const k of TEXT_KEYS) changes[k] = text[k];
          update(changes, { push: false });
        }}>
        <FieldShell name="q" label={t.directory.searchLabel} hint={t.directory.searchHint} optionalMark={false}>
          {({ id, describedBy }) => (
            <div class="search-box">
              <input id={id} name="q" type="search" value={text.q} aria-describedby={describedBy} autocomplete="off"
                enterKeyHint="search" maxLength={200} spellcheck={false}
                onInput={(e) => setField('q')((e.currentTarget as HTMLInputElement).value)} />
              {loading && <span class="spinner search-box__spinner" aria-hidden="true" data-testid="search-progress" />}
            </div>
          )}
        </FieldShell>

        <details class="card filters-panel" open={filtersOpen}>
          <summary>
            <span class="filters-panel__title">{t.directory.filters}</span>
            <span class="muted"> · {t.directory.activeFilters(activeCount)}</span>
          </summary>
          <fieldset class="choice">
            <legend>{t.directory.kind}</legend>
            {[['', t.directory.withCount(t.directory.kindAll, kindTotal)],
              ...(['professional', 'structure'] as const).map((k) => [k, t.directory.withCount(t.directory.kinds[k], kindCounts[k])])]
              .map(([value, label]) => (
                <div class="choice__item" key={value}>
                  <input type="radio" id={`kind-${value || 'all'}`} name="kind" value={value} checked={kind === value}
                    onChange={() => update({ kind: value || null })} />
                  <label for={`kind-${value || 'all'}`}>{label}</label>
                </div>
              ))}
          </fieldset>
          <div class="grid-3">
            <SelectField name="profession" label={t.directory.profession} value={profession} optionalMark={false}
              onValue={(v) => update({ profession: v || null })}>
              <option value="">{t.directory.professionAll}</option>
              {professions.map((p) => <option key={p.code} value={p.code}>{t.directory.withCount(p.label || p.code, p.count)}</option>)}
            </SelectField>
            <SelectField name="departement" label={t.directory.departement} value={departement} optionalMark={false}
              onValue={(v) => update({ departement: v || null })}>
              <option value="">{t.directory.departementAll}</option>
              {departements.map((d) => (
                <option key={d.code} value={d.code}>
                  {t.directory.withCount(t.directory.departementName(d.code, t.departements[d.code]), d.count)}
                </option>
              ))}
            </SelectField>
            <SelectField name="practice_mode" label={t.directory.practiceMode} value={mode} optionalMark={false}
              onValue={(v) => update({ practice_mode: v || null })}>
              <option value="">{t.directory.practiceModeAll}</option>
              {modes.map((m) => <option key={m} value={m}>{t.directory.withCount(t.directory.practiceModes[m], modeCount(m))}</option>)}
            </SelectField>
            <TextField name="lieu" label={t.directory.place} hint={t.directory.placeHint} value={text.lieu} onValue={setField('lieu')}
              optionalMark={false} autocomplete="off" maxLength={100} />
            <TextField name="has_capacity" label={t.directory.capacity} hint={t.directory.capacityHint} value={text.has_capacity}
              onValue={setField('has_capacity')} optionalMark={false} autocomplete="off" maxLength={100} />
            <div class="near">
              {near ? (<>
                <p class="near__active">{t.directory.nearMeActive}</p>
                <SelectField name="radius_km" label={t.directory.radius} value={radius} optionalMark={false}
                  onValue={(v) => update({ radius_km: v })}>
                  {RADII.map((r) => <option key={r} value={String(r)}>{t.directory.radiusKm(r)}</option>)}
                </SelectField>
                <button type="button" class="btn btn--ghost btn--small"
                  onClick={() => update({ lat: null, lon: null, radius_km: null })}>{t.directory.stopNearMe}</button>
              </>) : (<>
                <button type="button" id="near-button" class="btn btn--secondary near__button" aria-describedby="near-hint"
                  aria-disabled={locating ? 'true' : undefined} onClick={() => { if (!locating) locate(); }}>
                  {locating && <span class="spinner" aria-hidden="true" />}{locating ? t.directory.locating : t.directory.nearMe}
                </button>
                <p class="hint" id="near-hint">{t.directory.nearMeHint}</p>
              </>)}
              <p role="status" class={geoMsg ? 'notice notice--info' : 'sr-only'}>{geoMsg}</p>
            </div>
          </div>
          {activeCount > 0 && (
            <div class="actions">
              <button type="button" class="btn btn--ghost" onClick={() => {
                setText((o) => ({ ...o, lieu: '', has_capacity: '' }));
                update(Object.fromEntries([...FILTER_KEYS, 'lon', 'radius_km'].map((k) => [k, null])));
              }}>{t.directory.clearFilters}</button>
            </div>
          )}
        </details>
      </form>

      <section class="results" aria-labelledby="results-title" aria-busy={loading ? 'true' : 'false'}>
        <div class="results__head">
          <h2 id="results-title" tabIndex={-1} ref={resultsTitle}>{t.directory.results}</h2>
          <p role="status" aria-live="polite" class="count" data-testid="result-count">
            {result && !error ? t.directory.resultCount(result.total, result.total_capped) : ''}
          </p>
          {result && !error && result.understood && result.understood.length > 0 && (
            <p class="muted understood" data-testid="understood">{t.directory.understood(result.understood)}</p>
          )}
          {loading && <p class="muted searching"><span class="spinner" aria-hidden="true" /> {t.directory.searching}</p>}
        </div>
        {error && (
          <div class="error-summary" role="alert">
            <h3 class="error-summary__title">{error.title}</h3>{error.detail && <p>{error.detail}</p>}
          </div>
        )}
        {result && !error && (result.items.length === 0 ? <p class="muted">{t.directory.noResults}</p> : (
          <ul class="result-list" data-testid="results">
            {result.items.map((i) => {
              const href = `/annuaire/${i.kind === 'professional' ? 'professionnels' : 'structures'}/${encodeURIComponent(i.id)}`;
              const what = i.kind === 'professional'
                ? [i.profession_label ?? (i.profession_code ? t.professions[i.profession_code] : null), i.specialty].filter(Boolean).join(' · ')
                : i.category_label;
              const where = [i.commune, i.postal_code ? `(${i.postal_code})` : null].filter(Boolean).join(' ');
              return (
                <li key={`${i.kind}-${i.id}`} class={`result result--${i.kind}`}>
                  <h3 class="result__name"><a href={href}>{itemName(i)}</a></h3>
                  <p class="result__kind">{t.directory.kindOne[i.kind] ?? i.kind}</p>
                  {what && <p class="result__what">{what}</p>}
                  {(where || typeof i.distance_km === 'number') && (
                    <p class="result__where">
                      {where}
                      {typeof i.distance_km === 'number' && <span class="result__distance">{where ? ' · ' : ''}{i.distance_km < 0.1 ? t.directory.distanceVeryNear : t.directory.distance(formatKm(i.distance_km))}</span>}
                    </p>
                  )}
                </li>
              );
            })}
          </ul>
        ))}
        {result && !error && pages > 1 && (
          <nav class="pager" aria-label={t.directory.pagination}>
            {page > 1 && (
              <a class="btn btn--ghost" rel="prev" href={hrefWith(params, { page: page - 1 > 1 ? String(page - 1) : null })}
                onClick={goPage(page - 1)}>{t.directory.previous}</a>
            )}
            <span class="pager__where">{t.directory.pageOf(page, pages)}</span>
            {page < pages && (
              <a class="btn btn--secondary" rel="next" href={hrefWith(params, { page: String(page + 1) })}
                onClick={goPage(page + 1)}>{t.directory.next}</a>
            )}
          </nav>
        )}
      </section>
    </Page>
  );
}
