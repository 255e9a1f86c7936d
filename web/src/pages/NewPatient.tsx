// /patients/nouveau — create a patient with the strict traits of the RNIV. The birth date is three fields
// (day and month may stay empty: "00"). On 409 possible-duplicate the candidates are listed; the user opens
// one, breaks the glass, or confirms that none is the patient (the same body with confirm_not_duplicate).
import { useRef, useState } from 'preact/hooks';
import { api, isApiError, newKey, type ApiError, type CircleRole, type DuplicateCandidate, type PatientInput, type Sex } from '../api';
import { Page } from '../components/Page';
import { ErrorSummary, SelectField, SubmitButton, TextField, fieldErrorsOf, fieldId, type FieldErrors } from '../components/forms';
import { BreakGlassDialog } from '../components/BreakGlassDialog';
import { patientName, usedNameOf } from '../components/PatientBits';
import { CommunePicker, isCommuneCode } from '../components/CommunePicker';
import { t, formatBirthDate } from '../i18n';
import { navigate } from '../router';
import { me } from '../state/session';

const NAME_RE = /^[\p{L}' \u2019-]+$/u;
const ROLES: CircleRole[] = ['medecin_traitant', 'medecin_specialiste', 'infirmier', 'pharmacien', 'kinesitherapeute', 'sage_femme',
  'aide_soignant', 'aide_a_domicile', 'assistante_sociale', 'coordinateur', 'psychologue', 'autre'];

/** A sensible default role in the circle from the account's profession code. */
export function roleForProfession(code: string | undefined): CircleRole {
  switch (code) {
    case '10': return 'medecin_traitant';
    case '21': return 'pharmacien';
    case '50': return 'sage_femme';
    case '60': return 'infirmier';
    case '70': return 'kinesitherapeute';
    case 'AS': return 'aide_soignant';
    case 'ASS': return 'assistante_sociale';
    default: return 'coordinateur';
  }
}

interface Draft {
  birth_name: string; birth_first_names: string; first_name: string; used_name: string; used_first_name: string;
  day: string; month: string; year: string; sex: Sex | ''; birthplace_code: string; identity_status: 'provisoire' | 'recuperee';
  douteuse: boolean; fictive: boolean; homonyme: boolean; phone: string; address: string; creator_role: CircleRole;
}

const LABELS: Record<string, string> = {
  birth_name: t.identity.birthName, birth_first_names: t.identity.birthFirstNames, first_name: t.identity.firstName,
  used_name: t.identity.usedName, used_first_name: t.identity.usedFirstName, birth_date: t.identity.birthDate, sex: t.identity.sexLabel,
  birthplace_code: t.identity.birthplace, identity_status: t.newPatient.statusLabel, phone: t.identity.phone, address: t.identity.address,
  creator_role: t.newPatient.creatorRole,
};

export function NewPatient() {
  const [d, setD] = useState<Draft>(() => ({
    birth_name: '', birth_first_names: '', first_name: '', used_name: '', used_first_name: '', day: '', month: '', year: '', sex: '',
    birthplace_code: '', identity_status: 'provisoire', douteuse: false, fictive: false, homonyme: false, phone: '', address: '',
    creator_role: roleForProfession(me.value?.profession_code),
  }));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [candidates, setCandidates] = useState<DuplicateCandidate[] | null>(null);
  const [glass, setGlass] = useState<{ id: string; name: string } | null>(null);
  const lastKey = useRef<{ body: string; key: string } | null>(null);
  const dupRef = useRef<HTMLElement>(null);
  const set = <K extends keyof Draft>(k: K) => (v: Draft[K]) => { setD((o) => ({ ...o, [k]: v })); setCandidates(null); };

  const validate = (): FieldErrors => {
    const e: FieldErrors = {};
    for (const k of ['birth_name', 'birth_first_names'] as const) {
      if (!d[k].trim()) e[k] = t.common.fieldRequired;
      else if (!NAME_RE.test(d[k].trim())) e[k] = t.newPatient.nameInvalid;
    }
    for (const k of ['first_name', 'used_name', 'used_first_name'] as const) if (d[k].trim() && !NAME_RE.test(d[k].trim())) e[k] = t.newPatient.nameInvalid;
    const maxYear = new Date().getFullYear();
    const day = d.day.trim(), month = d.month.trim(), year = d.year.trim();
    if (!/^\d{4}$/.test(year) || Number(year) < 1880 || Number(year) > maxYear) e.birth_date = t.newPatient.yearInvalid(maxYear);
    else if (month && !(/^\d{1,2}$/.test(month) && Number(month) >= 1 && Number(month) <= 12)) e.birth_date = t.newPatient.monthInvalid;
    else if (day && !(/^\d{1,2}$/.test(day) && Number(day) >= 1 && Number(day) <= 31)) e.birth_date = t.newPatient.dayInvalid;
    else if (day && !month) e.birth_date = t.newPatient.dayWithoutMonth;
    else if (birthDate() > new Date().toISOString().slice(0, 10)) e.birth_date = t.newPatient.futureDate;
    if (!d.sex) e.sex = t.common.fieldRequired;
    if (d.birthplace_code.trim() && !isCommuneCode(d.birthplace_code)) e.birthplace_code = t.newPatient.birthplaceInvalid;
    return e;
  };
  const birthDate = () => {
    const p2 = (s: string) => (s.trim() ? s.trim().padStart(2, '0') : '00');
    const month = p2(d.month);
    return `${d.year.trim()}-${month}-${month === '00' ? '00' : p2(d.day)}`;
  };

  const send = async (confirm: boolean) => {
    if (busy) return;
    const e = validate();
    setErrors(e); setProblem(null);
    if (Object.keys(e).length) return;
    const opt = (s: string) => (s.trim() ? s.trim() : undefined);
    const body: PatientInput = {
      birth_name: d.birth_name.trim(), birth_first_names: d.birth_first_names.trim().replace(/\s+/g, ' '),
      first_name: opt(d.first_name), used_name: opt(d.used_name), used_first_name: opt(d.used_first_name),
      birth_date: birthDate(), sex: d.sex as Sex, birthplace_code: opt(d.birthplace_code.toUpperCase()),
      identity_status: d.identity_status, phone: opt(d.phone), address: opt(d.address), creator_role: d.creator_role,
      ...(d.douteuse || d.fictive || d.homonyme ? { flags: { douteuse: d.douteuse, fictive: d.fictive, homonyme: d.homonyme } } : {}),
      ...(confirm ? { confirm_not_duplicate: true } : {}),
    };
    const json = JSON.stringify(body);
    if (lastKey.current?.body !== json) lastKey.current = { body: json, key: newKey() };
    setBusy(true);
    try {
      const p = await api.createPatient(body, lastKey.current.key);
      navigate(`/patients/${encodeURIComponent(p.id)}`);
    } catch (x) {
      if (isApiError(x, 'possible-duplicate')) {
        const c = Array.isArray(x.body?.candidates) ? (x.body!.candidates as DuplicateCandidate[]) : [];
        setCandidates(c);
        setTimeout(() => dupRef.current?.focus(), 0);
      } else {
        setProblem(isApiError(x) ? x : null); setErrors(fieldErrorsOf(x));
      }
    } finally { setBusy(false); }
  };

  const dateIds = { day: fieldId('birth_date'), month: fieldId('birth_date') + '-month', year: fieldId('birth_date') + '-year' };
  const dateDescribed = [`${fieldId('birth_date')}-hint`, errors.birth_date ? `${fieldId('birth_date')}-error` : ''].filter(Boolean).join(' ');
  const dateInput = (k: 'day' | 'month' | 'year', label: string, size: number, placeholder: string) => (
    <div class={`date-part date-part--${k}`}>
      <label for={dateIds[k]}>{label}{k !== 'year' && <span class="opt"> ({t.common.optional})</span>}</label>
      <input id={dateIds[k]} name={`birth_${k}`} inputMode="numeric" autocomplete="off" maxLength={size} value={d[k]} placeholder={placeholder}
        required={k === 'year'} aria-required={k === 'year' ? 'true' : undefined} aria-describedby={dateDescribed}
        aria-invalid={errors.birth_date ? 'true' : undefined} onInput={(e) => set(k)((e.currentTarget as HTMLInputElement).value.replace(/\D/g, ''))} />
    </div>
  );

  return (
    <Page title={t.newPatient.title} intro={t.newPatient.intro}>
      <p class="back"><a href="/patients">{t.patient.backToList}</a></p>
      <ErrorSummary problem={problem} fields={errors} labels={LABELS} />
      {candidates && (
        <section class="card duplicates" aria-labelledby="dup-title" tabIndex={-1} ref={dupRef} data-testid="duplicates">
          <h2 id="dup-title">{t.newPatient.duplicatesTitle}</h2>
          <p>{t.newPatient.duplicatesIntro}</p>
          <ul class="patient-list">
            {candidates.map((c) => {
              const name = patientName(c);
              const used = usedNameOf(c);
              return (
                <li key={c.id} class="patient">
                  <h3 class="patient__name">{name}</h3>
                  <p class="patient__meta">
                    <span>{t.patients.born(formatBirthDate(c.birth_date))}</span>
                    <span>{t.identity.sex[c.sex] ?? c.sex}</span>
                    {used && <span>{t.patients.usedName(used)}</span>}
                    {c.birthplace_code && <span>{t.identity.birthplace} : {c.birthplace_code}</span>}
                  </p>
                  <p><span class="badge badge--warn">{c.reason === 'ins' ? t.newPatient.reasonIns : t.newPatient.reasonTraits}</span></p>
                  {c.access === 'member'
                    ? <a class="btn btn--secondary" href={`/patients/${encodeURIComponent(c.id)}`} aria-label={t.newPatient.openNamed(name)}>{t.newPatient.open}</a>
                    : <button type="button" class="btn btn--danger-outline" aria-label={t.newPatient.breakGlassNamed(name)}
                      onClick={() => setGlass({ id: c.id, name })}>{t.newPatient.breakGlass}</button>}
                </li>
              );
            })}
          </ul>
          <div class="actions">
            <button type="button" class="btn btn--primary" aria-disabled={busy ? 'true' : undefined} onClick={() => send(true)}>
              {busy && <span class="spinner" aria-hidden="true" />}{busy ? t.newPatient.submitting : t.newPatient.createAnyway}
            </button>
          </div>
        </section>
      )}
      <form class="form" noValidate aria-busy={busy ? 'true' : undefined} onSubmit={(e) => { e.preventDefault(); send(false); }}>
        <fieldset class="card">
          <legend>{t.newPatient.traits}</legend>
          <TextField name="birth_name" label={t.identity.birthName} hint={t.newPatient.birthNameHint} required value={d.birth_name}
            onValue={set('birth_name')} error={errors.birth_name} maxLength={100} autocomplete="off" autoCapitalize="characters" spellcheck={false} />
          <TextField name="birth_first_names" label={t.identity.birthFirstNames} hint={t.newPatient.birthFirstNamesHint} required
            value={d.birth_first_names} onValue={set('birth_first_names')} error={errors.birth_first_names} maxLength={100} autocomplete="off" spellcheck={false} />
          <TextField name="first_name" label={t.identity.firstName} hint={t.newPatient.firstNameHint} value={d.first_name}
            onValue={set('first_name')} error={errors.first_name} maxLength={100} autocomplete="off" spellcheck={false} />
          <fieldset class={'date-group field' + (errors.birth_date ? ' field--error' : '')}>
            <legend>{t.identity.birthDate}</legend>
            <p class="hint" id={`${fieldId('birth_date')}-hint`}>{t.newPatient.birthDateHint}</p>
            {errors.birth_date && <p class="field-error" id={`${fieldId('birth_date')}-error`}>{errors.birth_date}</p>}
            <div class="date-parts">
              {dateInput('day', t.newPatient.day, 2, t.newPatient.dayPlaceholder)}
              {dateInput('month', t.newPatient.month, 2, t.newPatient.monthPlaceholder)}
              {dateInput('year', t.newPatient.year, 4, t.newPatient.yearPlaceholder)}
            </div>
          </fieldset>
          <fieldset class={errors.sex ? 'choice choice--error' : 'choice'} id={fieldId('sex')} tabIndex={-1}
            aria-describedby={errors.sex ? `${fieldId('sex')}-error` : undefined}>
            <legend>{t.identity.sexLabel}</legend>
            {errors.sex && <p class="field-error" id={`${fieldId('sex')}-error`}>{errors.sex}</p>}
            {(['F', 'M', 'I'] as const).map((s) => (
              <div class="choice__item" key={s}>
                <input type="radio" id={`sex-${s}`} name="sex" value={s} checked={d.sex === s} onChange={() => set('sex')(s)} />
                <label for={`sex-${s}`}>{t.identity.sex[s]}</label>
              </div>
            ))}
          </fieldset>
          <CommunePicker name="birthplace_code" hint={t.newPatient.birthplaceHint} value={d.birthplace_code}
            onValue={set('birthplace_code')} error={errors.birthplace_code} />
        </fieldset>

        <fieldset class="card">
          <legend>{t.newPatient.others}</legend>
          <div class="grid-2">
            <TextField name="used_name" label={t.identity.usedName} hint={t.newPatient.usedNameHint} value={d.used_name}
              onValue={set('used_name')} error={errors.used_name} maxLength={100} autocomplete="off" spellcheck={false} />
            <TextField name="used_first_name" label={t.identity.usedFirstName} value={d.used_first_name} onValue={set('used_first_name')}
              error={errors.used_first_name} maxLength={100} autocomplete="off" spellcheck={false} />
          </div>
          <fieldset class="choice choice--column" id={fieldId('identity_status')} tabIndex={-1}>
            <legend>{t.newPatient.statusLabel}</legend>
            {errors.identity_status && <p class="field-error">{errors.identity_status}</p>}
            {([['provisoire', t.newPatient.statusProvisoire], ['recuperee', t.newPatient.statusRecuperee]] as const).map(([v, label]) => (
              <div class="choice__item" key={v}>
                <input type="radio" id={`status-${v}`} name="identity_status" value={v} checked={d.identity_status === v}
                  onChange={() => set('identity_status')(v)} />
                <label for={`status-${v}`}>{label}</label>
              </div>
            ))}
          </fieldset>
          <fieldset class="choice">
            <legend>{t.newPatient.flagsLegend}</legend>
            {(['douteuse', 'fictive', 'homonyme'] as const).map((f) => (
              <div class="choice__item" key={f}>
                <input type="checkbox" id={`flag-${f}`} checked={d[f]} onChange={(e) => set(f)((e.currentTarget as HTMLInputElement).checked)} />
                <label for={`flag-${f}`}>{t.identity.flags[f]}</label>
              </div>
            ))}
          </fieldset>
          <div class="grid-2">
            <TextField name="phone" label={t.identity.phone} hint={t.fields.phoneHint} type="tel" value={d.phone} onValue={set('phone')}
              error={errors.phone} maxLength={30} autocomplete="off" />
            <TextField name="address" label={t.identity.address} value={d.address} onValue={set('address')} error={errors.address}
              maxLength={300} autocomplete="off" />
          </div>
          <SelectField name="creator_role" label={t.newPatient.creatorRole} required value={d.creator_role}
            onValue={(v) => set('creator_role')(v as CircleRole)} error={errors.creator_role}>
            {ROLES.map((r) => <option key={r} value={r}>{t.circle.roles[r]}</option>)}
          </SelectField>
        </fieldset>
        <div class="actions"><SubmitButton busy={busy} label={t.newPatient.submit} busyLabel={t.newPatient.submitting} /></div>
      </form>
      <BreakGlassDialog patient={glass} onClose={() => setGlass(null)} />
    </Page>
  );
}
