// "Fusionner un doublon" (operators only): find the other record of the same patient (GET /patients, which
// gives operators every matching record), choose it, read in plain words what the merge does, then
// POST /patients/{id}/merge. The record shown stays; the other one is merged into it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, isApiError, type Patient, type PatientSummary } from '../api';
import { Dialog } from './Dialog';
import { Status, SubmitButton, TextField } from './forms';
import { ErrorNotice, StatusBadge, patientName, problemText, usedNameOf } from './PatientBits';
import { t, formatBirthDate } from '../i18n';

/** "né le 12/03/1948", "née en 03/1948": the birth date as far as it is known. */
export function bornText(p: Pick<PatientSummary, 'sex' | 'birth_date'>): string {
  const full = /^\d{4}-(?!00)\d{2}-(?!00)\d{2}$/.test(p.birth_date ?? '');
  return t.merge.born(p.sex, formatBirthDate(p.birth_date), full);
}

const fullDate = (d: string) => (/^\d{4}-(?!00)\d{2}-(?!00)\d{2}$/.test(d) ? d : '');

export function MergeDialog({ patient, open, onClose, onMerged }:
  { patient: Patient; open: boolean; onClose: () => void; onMerged: (survivor: Patient, note: string) => void }) {
  const [q, setQ] = useState('');
  const [birth, setBirth] = useState('');
  const [found, setFound] = useState<PatientSummary[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [searchError, setSearchError] = useState<unknown>(null);
  const [criterionError, setCriterionError] = useState<string | undefined>();
  const [chosen, setChosen] = useState<PatientSummary | null>(null);
  const [busy, setBusy] = useState(false);
  const [mergeError, setMergeError] = useState<unknown>(null);
  const confirmRef = useRef<HTMLHeadingElement>(null);
  const resultsRef = useRef<HTMLHeadingElement>(null);

  // Each opening starts afresh, with the traits of this record as a first guess.
  useEffect(() => {
    if (!open) return;
    setQ(patient.birth_name); setBirth(fullDate(patient.birth_date)); setFound(null); setSearchError(null);
    setCriterionError(undefined); setChosen(null); setMergeError(null); setBusy(false);
  }, [open, patient.id]);
  useEffect(() => { if (chosen) confirmRef.current?.focus(); }, [chosen]);

  const search = async (e: Event) => {
    e.preventDefault();
    if (searching) return;
    const term = q.trim();
    if (!term && !birth) { setCriterionError(t.merge.needCriterion); document.getElementById('f-merge_q')?.focus(); return; }
    setCriterionError(undefined); setSearching(true); setSearchError(null);
    try {
      const r = await api.searchPatients({ q: term || undefined, birth_date: birth || undefined });
      setFound(r.items.filter((x) => x.id !== patient.id && x.access !== 'none'));
    } catch (x) { setSearchError(x); setFound(null); }
    finally { setSearching(false); }
  };

  const merge = async (e: Event) => {
    e.preventDefault();
    if (busy || !chosen) return;
    setBusy(true); setMergeError(null);
    try {
      const survivor = await api.mergePatient(patient.id, chosen.id);
      onMerged(survivor, t.merge.done(patientName(chosen), bornText(chosen)));
    } catch (x) { setMergeError(x); }
    finally { setBusy(false); }
  };

  const back = () => { setChosen(null); setMergeError(null); setTimeout(() => resultsRef.current?.focus(), 0); };

  return (
    <Dialog open={open} id="merge" title={t.merge.title} onClose={onClose}>
      <div data-testid="merge-dialog">
        <p><strong>{t.merge.survivor(patientName(patient), bornText(patient))}</strong></p>
        {!chosen ? (<>
          <p>{t.merge.intro}</p>
          <form class="form" role="search" aria-label={t.merge.title} onSubmit={search} noValidate aria-busy={searching ? 'true' : undefined}>
            <TextField name="merge_q" label={t.merge.searchName} hint={t.merge.searchNameHint} value={q} onValue={setQ}
              type="search" autocomplete="off" spellcheck={false} maxLength={200} optionalMark={false} error={criterionError} />
            <TextField name="merge_birth" label={t.merge.searchBirthDate} hint={t.merge.searchBirthDateHint} type="date" value={birth}
              onValue={setBirth} optionalMark={false} max={new Date().toISOString().slice(0, 10)} min="1880-01-01" />
            <div class="actions">
              <SubmitButton busy={searching} label={t.merge.search} busyLabel={t.merge.searching} class="btn btn--secondary" />
            </div>
          </form>
          <ErrorNotice error={searchError} />
          <section class="merge__results" aria-labelledby={found ? 'merge-results-title' : undefined}>
            {found && <h3 id="merge-results-title" tabIndex={-1} ref={resultsRef}>{t.merge.results}</h3>}
            {/* Always in the page, so that the count is announced when it changes. */}
            <Status tone="info" message={found && !searching ? t.merge.resultCount(found.length) : null} />
            {found && found.length === 0 && <p class="muted">{t.merge.noResults}</p>}
            {found && found.length > 0 && (
              <ul class="patient-list" data-testid="merge-candidates">
                {found.map((c) => {
                  const used = usedNameOf(c);
                  return (
                    <li key={c.id} class="patient" data-testid="merge-candidate">
                      <h4 class="patient__name">{patientName(c)}</h4>
                      <p class="patient__meta">
                        <span>{t.patients.born(formatBirthDate(c.birth_date))}</span>
                        <span>{t.identity.sex[c.sex] ?? c.sex}</span>
                        {used && <span>{t.patients.usedName(used)}</span>}
                      </p>
                      <p class="patient__badges"><StatusBadge status={c.identity_status} /></p>
                      <button type="button" class="btn btn--secondary" onClick={() => { setMergeError(null); setChosen(c); }}>
                        {t.merge.choose}<span class="sr-only"> {t.merge.chooseNamed(patientName(c))}</span>
                      </button>
                    </li>
                  );
                })}
              </ul>
            )}
          </section>
        </>) : (
          <form class="form" onSubmit={merge} noValidate aria-busy={busy ? 'true' : undefined}>
            <h3 id="merge-confirm-title" tabIndex={-1} ref={confirmRef}>{t.merge.confirmTitle}</h3>
            <p class="notice notice--warning" data-testid="merge-confirm">{t.merge.confirm(patientName(chosen), bornText(chosen))}</p>
            {mergeError ? (
              <div class="notice notice--error" role="alert" data-testid="merge-error">
                <strong>{t.merge.failed}</strong> {mergeProblem(mergeError)}
              </div>
            ) : <div role="alert" class="sr-only" />}
            <div class="actions">
              <SubmitButton busy={busy} label={t.merge.submit} busyLabel={t.merge.submitting} class="btn btn--danger" />
              <button type="button" class="btn btn--ghost" onClick={back}>{t.common.cancel}</button>
            </div>
          </form>
        )}
      </div>
    </Dialog>
  );
}

/** The server's words: the field message for a refused duplicate_id, otherwise title and detail. */
function mergeProblem(e: unknown): string {
  if (isApiError(e)) {
    const field = e.fieldError('duplicate_id');
    if (field) return `${field.charAt(0).toUpperCase()}${field.slice(1)}.`;
    return [e.title, e.detail].filter(Boolean).join(' — ');
  }
  return problemText(e);
}
