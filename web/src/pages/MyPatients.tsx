// /patients — "Mes patients": on the first screen, the patients of whose care circle I am a member (GET
// /patients/mine, newest activity first), each row one tap target with age, commune, open alerts and unread count.
// One search field filters that list at each letter and asks the server too (GET /patients?q=), which also finds
// my patients beyond the loaded page and, for a precise query (name + full birth date, or INS: the criteria folded
// away), a patient outside my circles, with the emergency access.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, asApiError, isApiError, type MyPatient, type PatientSummary } from '../api';
import { Page } from '../components/Page';
import { FieldShell, Loading, TextField } from '../components/forms';
import { agoText } from '../components/directory';
import { BreakGlassDialog } from '../components/BreakGlassDialog';
import { ErrorNotice, MoreButton, StatusBadge, patientName, usedNameOf } from '../components/PatientBits';
import { t, ageText, personWord } from '../i18n';
import { isOperator } from '../state/session';

const INS_RE = /^[0-9]{5}(?:2A|2B|[0-9]{2})[0-9]{8}$/i;

/** Lower case, no accents, words of letters and digits: "Lefèvre-Abcde" → ["lefevre", "abcde"]. */
const words = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);

/** Every word typed starts a word of the names (as the server searches). */
function matches(p: PatientSummary, typed: string[]): boolean {
  const names = words([p.birth_name, p.used_name ?? '', p.first_name].join(' '));
  return typed.every((w) => names.some((n) => n.startsWith(w)));
}

function Meta({ p, commune }: { p: PatientSummary; commune?: string | null }) {
  return (
    <p class="patient__meta">
      <span data-testid="age">{ageText(p.birth_date)}</span>
      <span>{personWord(p.sex, p.birth_date)}</span>
      {commune && <span data-testid="commune">{commune}</span>}
    </p>
  );
}

/** The name as the RNIV wants it, the used name beside it when it differs. */
function Name({ p, link }: { p: PatientSummary; link: boolean }) {
  const used = usedNameOf(p);
  const name = patientName(p);
  return (
    <h3 class="patient__name">
      {link ? <a href={`/patients/${encodeURIComponent(p.id)}`}>{name}</a> : name}
      {used && <span class="patient__used"> {t.patients.usedName(used)}</span>}
    </h3>
  );
}

function MineRow({ p }: { p: MyPatient }) {
  const badges = p.open_alerts > 0 || p.unread > 0;
  return (
    <li class="patient patient--row" data-testid="patient-row">
      <div class="patient__top">
        <Name p={p} link />
        <span class="patient__activity">
          <span class="sr-only">{t.patients.lastActivitySr} </span>
          {p.last_activity_at ? agoText((Date.now() - Date.parse(p.last_activity_at)) / 1000) : t.patients.noActivity}
        </span>
      </div>
      <Meta p={p} commune={p.commune} />
      {badges && (
        <p class="patient__badges">
          {p.open_alerts > 0 && <span class="badge badge--alert" data-testid="open-alerts">{t.patients.openAlerts(p.open_alerts)}</span>}
          {p.unread > 0 && <span class="badge" data-testid="unread">{t.patients.unread(p.unread)}</span>}
        </p>
      )}
    </li>
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
      .catch((e) => setLoadError(asApiError(e)));
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

  // The server is asked 300 ms after the last key; a newer search aborts the older one.
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

  // At each letter, my loaded patients that match (no wait for the server); the server's answer adds the others.
  const typed = useMemo(() => words(term), [term]);
  const shown = !items ? null : !active ? items
    : insTerm ? items.filter((p) => found?.some((f) => f.id === p.id))
    : items.filter((p) => matches(p, typed) && (!birth || p.birth_date === birth));
  const others = active && found ? found.filter((f) => !(items ?? []).some((p) => p.id === f.id)) : [];

  const clear = () => { setQ(''); setBirth(''); setIns(''); document.getElementById('f-pq')?.focus(); };

  return (
    <Page title={t.patients.title}
      actions={!operator && <a class="btn btn--primary btn--compact" href="/patients/nouveau">{t.patients.newPatient}</a>}>
      <p class={operator ? 'lead' : 'lead lead--wide'}>{operator ? t.patients.introOperator : t.patients.intro}</p>
      {operator && <p class="notice notice--info" data-testid="operator-no-list">{t.patients.operatorNoList}</p>}
      <form class="patient-search" role="search" aria-label={t.patients.searchRegion} noValidate onSubmit={(e) => e.preventDefault()}>
        <FieldShell name="pq" label={t.patients.searchLabel} hint={t.patients.searchLabelHint} optionalMark={false}>
          {({ id, describedBy }) => (
            <div class="search-box">
              <input id={id} name="q" type="search" value={q} aria-describedby={describedBy} autocomplete="off" maxLength={200}
                spellcheck={false} enterKeyHint="search" aria-controls={operator ? undefined : 'patients-list'}
                onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} />
              {searching && <span class="spinner search-box__spinner" aria-hidden="true" />}
            </div>
          )}
        </FieldShell>
        <details class="more more--criteria" open={!!(birth || ins) || undefined}>
          <summary>{t.patients.moreCriteria}</summary>
          <div class="grid-2">
            <TextField name="pbirth" label={t.patients.searchBirthDate} hint={operator ? t.patients.searchBirthDateHintOperator : t.patients.searchBirthDateHint} type="date" value={birth}
              onValue={setBirth} optionalMark={false} max={new Date().toISOString().slice(0, 10)} min="1880-01-01" />
            <TextField name="pins" label={t.patients.searchIns} hint={t.patients.searchInsHint} value={ins} onValue={setIns}
              optionalMark={false} error={insError} autocomplete="off" spellcheck={false} maxLength={21} inputMode="text" />
          </div>
        </details>
        {active && <button type="button" class="btn btn--ghost btn--small" onClick={clear}>{t.patients.clearSearch}</button>}
      </form>

      {!operator && (
        <section aria-labelledby="mine-title" class="mine" id="patients-list">
          <div class="results__head">
            <h2 id="mine-title">{t.patients.listTitle}</h2>
            <p role="status" class="count" data-testid="patient-list-count">
              {!shown ? '' : active ? t.patients.filteredCount(shown.length) : t.patients.listCount(shown.length, !!next)}
            </p>
          </div>
          {loadError && <ErrorNotice error={loadError} />}
          {!items && !loadError ? <Loading /> : shown && (shown.length === 0 && !active ? <p class="muted">{t.patients.empty}</p> : (
            <ul class="patient-list" data-testid="my-patients">
              {shown.map((p) => <MineRow key={p.id} p={p} />)}
            </ul>
          ))}
          {!active && next && <MoreButton busy={loadingMore} onClick={more} label={t.patients.loadMore} />}
        </section>
      )}

      <section class="results" aria-labelledby="found-title" hidden={!active} aria-busy={searching ? 'true' : 'false'}>
        <div class="results__head">
          <h2 id="found-title">{operator ? t.patients.results : t.patients.othersTitle}</h2>
          <p role="status" class="count" data-testid="patient-result-count">{active && found && !searching ? t.patients.resultCount(others.length) : ''}</p>
          {searching && <p class="muted searching"><span class="spinner" aria-hidden="true" /> {t.patients.searching}</p>}
        </div>
        <ErrorNotice error={searchError} />
        {active && found && (others.length === 0 ? <p class="muted">{operator ? t.patients.noResultsOperator : t.patients.noResults}</p> : (
          <ul class="patient-list" data-testid="patient-results">
            {others.map((p) => (
              <li key={p.id} class={p.access === 'none' ? 'patient patient--none' : 'patient patient--row'}>
                <Name p={p} link={p.access !== 'none'} />
                <Meta p={p} />
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
      <BreakGlassDialog patient={glass} onClose={() => setGlass(null)} />
    </Page>
  );
}
