import { useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, asApiError, isApiError, type EnrolmentRequest, type RppsEntry, type Structure } from '../api';
import { Page } from '../components/Page';
import { ErrorSummary, PasswordField, SelectField, SubmitButton, TextField, fieldErrorsOf, withoutDetail, type FieldErrors } from '../components/forms';
import { StructurePicker } from '../components/StructurePicker';
import { t } from '../i18n';

// Professions that have no national register, declared by the applicant and vouched for by the approver. The
// health professions of the RPPS are never typed: they come from the directory entry of the RPPS number.
const DECLARED = ['AS', 'AP', 'ASS', 'EDS', 'CESF', 'COORD', 'SEC', 'AUTRE'];
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// The 11 digits, also when the 12-digit national identifier (8 + the 11, as Pro Santé Connect writes it) is pasted.
const rppsDigits = (v: string) => { const d = v.replace(/[\s.]/g, ''); return /^8\d{11}$/.test(d) ? d.slice(1) : d; };

/** Where the RPPS number lookup stands (GET /directory/rpps/{number}, no session needed). */
type Lookup =
  | { state: 'idle' }
  | { state: 'loading' | 'unknown' | 'unavailable'; number: string }
  | { state: 'found'; number: string; entry: RppsEntry };

const labels: Record<string, string> = {
  first_name: t.fields.firstName, last_name: t.fields.lastName, email: t.fields.email, phone: t.fields.phone,
  profession_code: t.fields.profession, profession_label: t.fields.professionOther, specialty: t.fields.specialty,
  rpps: t.fields.rpps, structure_id: t.signup.structureSearch, 'structure_proposal.name': t.signup.structureProposalName,
  'structure_proposal.commune': t.signup.structureProposalCommune, password: t.fields.password, password2: t.fields.passwordConfirm,
};

export function Signup() {
  const [f, setF] = useState({
    first_name: '', last_name: '', email: '', phone: '', profession_code: '', other: '', specialty: '', rpps: '',
    proposal_name: '', proposal_commune: '', password: '', password2: '',
  });
  const set = (k: keyof typeof f) => (v: string) => setF((old) => ({ ...old, [k]: v }));
  const [structure, setStructureValue] = useState<Structure | null>(null);
  const [notListed, setNotListed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [done, setDone] = useState<string | null>(null);
  const [lookup, setLookup] = useState<Lookup>({ state: 'idle' });
  const [rppsError, setRppsError] = useState<string | null>(null);
  const lookupCtrl = useRef<AbortController | null>(null);
  // Choosing a structure answers the error that asked for one.
  const setStructure = (s: Structure | null) => {
    setStructureValue(s);
    if (s) setErrors((o) => { if (!o.structure_id) return o; const { structure_id: _, ...rest } = o; return rest; });
  };
  const lookedUp = useRef('');

  // The names and profession are the directory entry's (shown read-only); what the user had typed is kept, sent as
  // what they declared, and shown again if they clear the number. An empty specialty (or the one a former entry
  // gave) takes the entry's.
  const prefilledSpecialty = useRef('');
  const prefill = (e: RppsEntry) => setF((o) => {
    const take = !o.specialty.trim() || o.specialty === prefilledSpecialty.current;
    if (take) prefilledSpecialty.current = e.specialty ?? '';
    return take ? { ...o, specialty: e.specialty ?? '' } : o;
  });

  /** Looks an 11-digit number up once (typing it or leaving the field); a newer number aborts the older lookup. */
  const lookUp = (value: string) => {
    const n = rppsDigits(value);
    if (!/^\d{11}$/.test(n) || n === lookedUp.current) return;
    lookedUp.current = n;
    lookupCtrl.current?.abort();
    const ctrl = new AbortController();
    lookupCtrl.current = ctrl;
    setLookup({ state: 'loading', number: n }); setRppsError(null);
    api.rppsLookup(n, ctrl.signal).then((entry) => {
      if (ctrl.signal.aborted) return;
      setLookup({ state: 'found', number: n, entry });
      prefill(entry);
    }).catch((err) => {
      if (ctrl.signal.aborted || (err as Error)?.name === 'AbortError') return;
      if (isApiError(err) && err.status === 404) { setLookup({ state: 'unknown', number: n }); return; }
      if (isApiError(err) && err.status === 422) {
        setLookup({ state: 'idle' });
        setRppsError(err.fieldError('number') ?? err.errors[0]?.message ?? t.fields.rppsInvalid);
        return;
      }
      lookedUp.current = ''; // leaving the field tries again
      setLookup({ state: 'unavailable', number: n });
    });
  };

  const onRpps = (v: string) => {
    set('rpps')(v);
    if (rppsDigits(v) === lookedUp.current) return;
    lookupCtrl.current?.abort();
    lookedUp.current = '';
    setLookup({ state: 'idle' }); setRppsError(null);
    // An error about the former number no longer applies.
    setErrors((o) => { if (!o.rpps) return o; const { rpps: _, ...rest } = o; return rest; });
    setProblem((p) => (p?.fieldError('rpps') ? null : p));
    lookUp(v);
  };

  const entry = lookup.state === 'found' && lookup.number === rppsDigits(f.rpps) ? lookup.entry : null;
  // With the entry found, the names and profession are the directory's: nothing to type.
  const fromDirectory = !!entry && !!entry.first_name && !!entry.last_name;

  // Mirrors the server: names always; a profession of the list only without an RPPS number.
  const validate = (): FieldErrors => {
    const e: FieldErrors = {};
    const req = (k: string, v: string) => { if (!v.trim()) e[k] = t.common.fieldRequired; };
    const rpps = rppsDigits(f.rpps);
    if (rpps && !/^\d{11}$/.test(rpps)) e.rpps = t.fields.rppsInvalid;
    else if (rpps && lookup.state === 'unknown' && lookup.number === rpps) e.rpps = t.signup.rppsUnknownError;
    if (!rpps) {
      req('profession_code', f.profession_code);
      if (f.profession_code === 'AUTRE') req('profession_label', f.other);
    }
    if (!fromDirectory) { req('first_name', f.first_name); req('last_name', f.last_name); }
    req('email', f.email);
    if (f.email.trim() && !EMAIL_RE.test(f.email.trim())) e.email = t.fields.emailInvalid;
    if (notListed) { req('structure_proposal.name', f.proposal_name); req('structure_proposal.commune', f.proposal_commune); }
    else if (!structure) e.structure_id = t.signup.structureRequired;
    if (f.password.length < 12) e.password = t.password.tooShort;
    else if (f.password.length > 256) e.password = t.password.tooLong;
    if (f.password2 !== f.password) e.password2 = t.fields.passwordMismatch;
    return e;
  };

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    const e = validate();
    setErrors(e); setProblem(null);
    if (Object.keys(e).length) return;
    const code = f.profession_code;
    const rpps = rppsDigits(f.rpps);
    // With an RPPS number the server takes the names and profession from the entry and keeps these as declared.
    const typed = (v: string, fallback: string | undefined) => v.trim() || fallback || '';
    const body: EnrolmentRequest = {
      email: f.email.trim(), password: f.password,
      first_name: typed(f.first_name, entry?.first_name), last_name: typed(f.last_name, entry?.last_name),
    };
    if (code && DECLARED.includes(code)) {
      body.profession_code = code;
      body.profession_label = code === 'AUTRE' ? f.other.trim() : t.professions[code];
    }
    if (f.specialty.trim()) body.specialty = f.specialty.trim();
    if (rpps) body.rpps = rpps;
    if (f.phone.trim()) body.phone = f.phone.trim();
    if (notListed) body.structure_proposal = { name: f.proposal_name.trim(), commune: f.proposal_commune.trim() };
    else if (structure) body.structure_id = structure.id;
    setBusy(true);
    try {
      await api.enrol(body);
      setDone(body.email);
    } catch (err) {
      setProblem(asApiError(err));
      setErrors(fieldErrorsOf(err));
    } finally { setBusy(false); }
  };

  // A 409 on the RPPS number (an active account holds this entry): its detail says what to do, under the field.
  const rppsProblem = problem?.type === 'duplicate' && problem.fieldError('rpps') && problem.detail ? problem.detail : null;
  // …which the summary then links to rather than repeating it.
  // (Memoised: a new object would move the focus back to the summary at each render.)
  const summaryProblem = useMemo(() => (rppsProblem && problem ? withoutDetail(problem) : problem), [problem, rppsProblem]);
  const fullName = entry ? [entry.civility, entry.first_name, entry.last_name?.toLocaleUpperCase('fr-FR')].filter(Boolean).join(' ') : '';
  const lookupMessage = lookup.state === 'loading' ? t.signup.rppsSearching
    : lookup.state === 'unknown' ? t.signup.rppsUnknown
    : lookup.state === 'unavailable' ? t.signup.rppsUnavailable
    : entry ? t.signup.rppsFound(fullName, entry.profession_label, entry.specialty)
    : null;
  const lookupClass = !lookupMessage ? 'sr-only' : lookup.state === 'loading' ? 'hint'
    : lookup.state === 'found' ? 'notice notice--success' : 'notice notice--info';
  // Sites of the entry that are structures of the directory, once each: one tap makes one the structure.
  const sites = (entry?.sites ?? []).filter((x, i, all) =>
    x.structure_id && all.findIndex((y) => y.structure_id === x.structure_id) === i);
  const siteName = (x: RppsEntry['sites'][number]) => [x.site_name, x.commune].filter(Boolean).join(' — ');
  const chooseSite = (x: RppsEntry['sites'][number]) => {
    setNotListed(false);
    setStructure({ id: x.structure_id!, name: x.site_name || x.commune || '', commune: x.commune ?? undefined });
  };

  if (done) {
    return (
      <Page title={t.signup.doneTitle} narrow>
        <div class="card" role="status">
          <p data-testid="signup-done">{t.signup.doneText(done)}</p>
          <p class="hint">{t.signup.doneHint}</p>
        </div>
      </Page>
    );
  }

  return (
    <Page title={t.signup.title} intro={t.signup.intro} narrow>
      <ErrorSummary problem={summaryProblem} fields={errors} labels={labels} />
      <form class="form" onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        <fieldset class="card">
          <legend>{t.signup.professionSection}</legend>
          <TextField name="rpps" label={t.fields.rpps} hint={t.fields.rppsHint} value={f.rpps} onValue={onRpps}
            error={rppsProblem ?? errors.rpps ?? rppsError ?? undefined} inputMode="numeric" maxLength={20} autocomplete="off"
            onBlur={(e: FocusEvent) => lookUp((e.currentTarget as HTMLInputElement).value)}
            extra={<>
              <div role="status" class={lookupClass} data-testid="rpps-lookup">
                {lookupMessage && <p class="rpps-lookup__text">{lookupMessage}</p>}
                {entry && <p class="rpps-lookup__hint">{t.signup.rppsFoundHint}</p>}
              </div>
              {sites.length > 0 && (
                <div class="rpps-sites">
                  <p class="rpps-sites__title" id="rpps-sites-title">{t.signup.rppsSites}</p>
                  <ul class="rpps-sites__list" aria-labelledby="rpps-sites-title">
                    {sites.map((x) => (
                      <li key={x.structure_id}>
                        {!notListed && structure?.id === x.structure_id
                          ? <span>{t.signup.rppsSiteChosen(siteName(x))}</span>
                          : <button type="button" class="btn btn--secondary btn--small" onClick={() => chooseSite(x)}>
                            {t.signup.rppsChooseSite(siteName(x))}</button>}
                      </li>
                    ))}
                  </ul>
                </div>
              )}
            </>} />
          {entry ? (
            <TextField name="profession_code" label={t.signup.professionFromDirectory} value={entry.profession_label} onValue={() => {}}
              readOnly optionalMark={false} data-testid="profession-from-directory" />
          ) : (<>
            <SelectField name="profession_code" label={t.fields.profession} hint={t.signup.professionHint}
              required={!rppsDigits(f.rpps)} optionalMark={false} value={f.profession_code} onValue={set('profession_code')} error={errors.profession_code}>
              <option value="">{t.fields.professionChoose}</option>
              {DECLARED.map((c) => <option value={c} key={c}>{t.professions[c]}</option>)}
            </SelectField>
            {f.profession_code === 'AUTRE' && (
              <TextField name="profession_label" label={t.fields.professionOther} required value={f.other} onValue={set('other')} error={errors.profession_label} />
            )}
          </>)}
          <TextField name="specialty" label={t.fields.specialty} value={f.specialty} onValue={set('specialty')} error={errors.specialty} />
        </fieldset>

        <fieldset class="card">
          <legend>{t.signup.identity}</legend>
          {fromDirectory && entry ? (
            <div class="from-directory">
              <p class="hint" id="names-from-directory">{t.signup.namesFromDirectoryHint}</p>
              <div class="grid-2">
                <TextField name="first_name" label={t.fields.firstName} value={entry.first_name} onValue={() => {}} readOnly
                  optionalMark={false} aria-describedby="names-from-directory" />
                <TextField name="last_name" label={t.fields.lastName} value={entry.last_name} onValue={() => {}} readOnly
                  optionalMark={false} aria-describedby="names-from-directory" />
              </div>
            </div>
          ) : (
            <div class="grid-2">
              <TextField name="first_name" label={t.fields.firstName} required value={f.first_name} onValue={set('first_name')} error={errors.first_name} autocomplete="given-name" />
              <TextField name="last_name" label={t.fields.lastName} required value={f.last_name} onValue={set('last_name')} error={errors.last_name} autocomplete="family-name" />
            </div>
          )}
          <TextField name="email" label={t.fields.email} hint={t.fields.emailHint} type="email" required value={f.email} onValue={set('email')}
            error={errors.email} autocomplete="email" inputMode="email" autoCapitalize="none" spellcheck={false} />
          <TextField name="phone" label={t.fields.phone} hint={t.fields.phoneHint} type="tel" value={f.phone} onValue={set('phone')} error={errors.phone} autocomplete="tel" />
        </fieldset>

        <fieldset class="card">
          <legend>{t.signup.structureSection}</legend>
          {!notListed && <StructurePicker value={structure} onChange={setStructure} error={errors.structure_id} />}
          <div class="check">
            <input type="checkbox" id="f-not-listed" checked={notListed}
              onChange={(e) => { setNotListed((e.currentTarget as HTMLInputElement).checked); setErrors({}); }} />
            <label for="f-not-listed">{t.signup.structureNotListed}</label>
          </div>
          {notListed && (
            <div class="grid-2">
              <TextField name="structure_proposal.name" label={t.signup.structureProposalName} required value={f.proposal_name}
                onValue={set('proposal_name')} error={errors['structure_proposal.name']} autocomplete="organization" />
              <TextField name="structure_proposal.commune" label={t.signup.structureProposalCommune} required value={f.proposal_commune}
                onValue={set('proposal_commune')} error={errors['structure_proposal.commune']} autocomplete="address-level2" />
            </div>
          )}
        </fieldset>

        <fieldset class="card">
          <legend>{t.signup.accountSection}</legend>
          <PasswordField label={t.fields.password} value={f.password} onValue={set('password')} error={errors.password} />
          <TextField name="password2" label={t.fields.passwordConfirm} type="password" required value={f.password2} onValue={set('password2')}
            error={errors.password2} autocomplete="new-password" />
        </fieldset>

        <div class="actions">
          <SubmitButton busy={busy} label={t.signup.submit} busyLabel={t.signup.submitting} />
        </div>
      </form>
      <p class="aside">{t.signup.haveAccount} <a href="/connexion">{t.signup.login}</a></p>
    </Page>
  );
}
