// /patients — "Mes patients": the patients of whose care circle I am a member (GET /patients/mine), newest
// activity first, and a search (GET /patients?q=&birth_date=&ins=) that also offers break-the-glass for a
// patient found by a precise query outside my circles.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, isApiError, type MyPatient, type PatientSummary } from '../api';
import { Page } from '../components/Page';
import { FieldShell, Loading, TextField } from '../components/forms';
import { agoText } from '../components/directory';
import { BreakGlassDialog } from '../components/BreakGlassDialog';
import { ErrorNotice, MoreButton, StatusBadge, patientName, usedNameOf } from '../components/PatientBits';
import { t, formatBirthDate } from '../i18n';
import { isOperator } from '../state/session';

const INS_RE = /^[0-9]{5}(?:2A|2B|[0-9]{2})[0-9]{8}$/i;

function Who({ p }: { p: PatientSummary }) {
  const used = usedNameOf(p);
  return (
    <p class="patient__meta">
      <span>{t.patients.born(formatBirthDate(p.birth_date))}</span>
      <span>{t.identity.sex[p.sex] ?? p.sex}</span>
      {used && <span>{t.patients.usedName(used)}</span>}
    </p>
  );
}

export function MyPatients() {
  // Operators administer every record but follow none: no "mine" list, no creation (the server refuses both).
  const operator = isOperator.value;
  const [items, setItems] = useState<MyPatient[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [q, setQ] = useState('');
  const [birth, setBirth] = useState('');
  const [ins, setIns] = useState('');
  const [found, setFound] = useState<PatientSummary[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [searchError, setSearchError] = useState<unknown>(null);
  const [insError, setInsError] = useState<string | undefined>();
  const [glass, setGlass] = useState<{ id: string; name: string } | null>(null);

  useEffect(() => {
    if (operator) return;
    api.myPatients().then((r) => { setItems(r.items); setNext(r.next_cursor ?? null); })
      .catch((e) => setLoadError(isApiError(e) ? e : new ApiError({ status: 0, type: 'unknown', title: t.problems.unknown })));
  }, []);

  const more = async () => {
    if (!next) return;
    setLoadingMore(true);
    try {
      const r = await api.myPatients(next);
      setItems((old) => [...(old ?? []), ...r.items.filter((x) => !(old ?? []).some((o) => o.id === x.id))]);
      setNext(r.next_cursor ?? null);
    } catch (e) { setLoadError(isApiError(e) ? e : null); }
    finally { setLoadingMore(false); }
  };

  // Search 300 ms after the last key; a newer search aborts the older one.
  const term = q.trim(), insTerm = ins.replace(/\s/g, '').toUpperCase();
  const active = !!(term || birth || insTerm);
  useEffect(() => {
    setInsError(undefined);
    if (!active) { setFound(null); setSearchError(null); setSearching(false); return; }
    if (insTerm && !INS_RE.test(insTerm)) { setInsError(t.patients.searchInsInvalid); return; }
    const ctrl = new AbortController();
    const timer = setTimeout(async () => {
      setSearching(true);
      try {
        const r = await api.searchPatients({ q: term || undefined, birth_date: birth || undefined, ins: insTerm || undefined }, ctrl.signal);
        setFound(r.items); setSearchError(null);
      } catch (e) {
        if ((e as Error)?.name === 'AbortError') return;
        if (isApiError(e) && e.fieldError('ins')) setInsError(e.fieldError('ins'));
        else setSearchError(e);
        setFound(null);
      } finally { if (!ctrl.signal.aborted) setSearching(false); }
    }, 300);
    return () => { clearTimeout(timer); ctrl.abort(); };
  }, [term, birth, insTerm]);

  return (
    <Page title={t.patients.title} intro={operator ? t.patients.introOperator : t.patients.intro}>
      {!operator && <p class="actions page-actions"><a class="btn btn--primary" href="/patients/nouveau">{t.patients.newPatient}</a></p>}

      <form class="card patient-search" role="search" aria-labelledby="psearch-title" noValidate onSubmit={(e) => e.preventDefault()}>
        <h2 id="psearch-title">{t.patients.searchTitle}</h2>
        <FieldShell name="pq" label={t.patients.searchName} hint={t.patients.searchNameHint} optionalMark={false}>
          {({ id, describedBy }) => (
            <div class="search-box">
              <input id={id} name="q" type="search" value={q} aria-describedby={describedBy} autocomplete="off" maxLength={200}
                spellcheck={false} enterKeyHint="search" onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} />
              {searching && <span class="spinner search-box__spinner" aria-hidden="true" />}
            </div>
          )}
        </FieldShell>
        <div class="grid-2">
          <TextField name="pbirth" label={t.patients.searchBirthDate} hint={operator ? t.patients.searchBirthDateHintOperator : t.patients.searchBirthDateHint} type="date" value={birth}
            onValue={setBirth} optionalMark={false} max={new Date().toISOString().slice(0, 10)} min="1880-01-01" />
          <TextField name="pins" label={t.patients.searchIns} hint={t.patients.searchInsHint} value={ins} onValue={setIns}
            optionalMark={false} error={insError} autocomplete="off" spellcheck={false} maxLength={21} inputMode="text" />
        </div>
        {active && (
          <button type="button" class="btn btn--ghost btn--small" onClick={() => { setQ(''); setBirth(''); setIns(''); document.getElementById('f-pq')?.focus(); }}>
            {t.patients.clearSearch}
          </button>
        )}
      </form>

      <section class="results" aria-labelledby="found-title" hidden={!active} aria-busy={searching ? 'true' : 'false'}>
        <div class="results__head">
          <h2 id="found-title">{t.patients.results}</h2>
          <p role="status" class="count" data-testid="patient-result-count">{active && found && !searching ? t.patients.resultCount(found.length) : ''}</p>
          {searching && <p class="muted searching"><span class="spinner" aria-hidden="true" /> {t.patients.searching}</p>}
        </div>
        <ErrorNotice error={searchError} />
        {active && found && (found.length === 0 ? <p class="muted">{operator ? t.patients.noResultsOperator : t.patients.noResults}</p> : (
          <ul class="patient-list" data-testid="patient-results">
            {found.map((p) => (
              <li key={p.id} class={p.access === 'none' ? 'patient patient--none' : 'patient'}>
                <h3 class="patient__name">
                  {p.access === 'none' ? patientName(p) : <a href={`/patients/${encodeURIComponent(p.id)}`}>{patientName(p)}</a>}
                </h3>
                <Who p={p} />
                <p class="patient__badges"><StatusBadge status={p.identity_status} />
                  {p.access !== 'none' && p.access !== 'member' && <span class="badge badge--warn">{t.patients.access[p.access]}</span>}</p>
                {p.access === 'none' && (<>
                  <p class="muted">{t.patients.notMember}</p>
                  <button type="button" class="btn btn--danger-outline" onClick={() => setGlass({ id: p.id, name: patientName(p) })}>
                    {t.patients.breakGlass}
                  </button>
                </>)}
              </li>
            ))}
          </ul>
        ))}
      </section>

      <section aria-labelledby="mine-title" class="mine">
        <div class="results__head">
          <h2 id="mine-title">{t.patients.listTitle}</h2>
          {items && <p class="count">{t.patients.listCount(items.length, !!next)}</p>}
        </div>
        {operator && <p class="notice notice--info" data-testid="operator-no-list">{t.patients.operatorNoList}</p>}
        {!operator && loadError && <ErrorNotice error={loadError} />}
        {!operator && (!items && !loadError ? <Loading /> : items && (items.length === 0 ? <p class="muted">{t.patients.empty}</p> : (
          <ul class="patient-list" data-testid="my-patients">
            {items.map((p) => (
              <li key={p.id} class="patient">
                <h3 class="patient__name"><a href={`/patients/${encodeURIComponent(p.id)}`}>{patientName(p)}</a></h3>
                <Who p={p} />
                <p class="patient__role">
                  <span>{t.patients.role} : {t.circle.roles[p.role] ?? p.role}</span>
                  {p.referent && <span class="badge">{t.patients.referent}</span>}
                </p>
                <p class="patient__activity muted">
                  {p.last_activity_at ? t.patients.lastActivity(agoText((Date.now() - Date.parse(p.last_activity_at)) / 1000)) : t.patients.noActivity}
                </p>
                {(p.unread > 0 || p.open_alerts > 0) && (
                  <p class="patient__badges">
                    {p.unread > 0 && <span class="badge" data-testid="unread">{t.patients.unread(p.unread)}</span>}
                    {p.open_alerts > 0 && <span class="badge badge--alert" data-testid="open-alerts">{t.patients.openAlerts(p.open_alerts)}</span>}
                  </p>
                )}
              </li>
            ))}
          </ul>
        )))}
        {!operator && next && <MoreButton busy={loadingMore} onClick={more} label={t.patients.loadMore} />}
      </section>
      <BreakGlassDialog patient={glass} onClose={() => setGlass(null)} />
    </Page>
  );
}
