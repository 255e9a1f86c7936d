import { useState } from 'preact/hooks';
import { api, ApiError, isApiError, type EnrolmentRequest, type Structure } from '../api';
import { Page } from '../components/Page';
import { ErrorSummary, PasswordField, SelectField, SubmitButton, TextField, fieldErrorsOf, type FieldErrors } from '../components/forms';
import { StructurePicker } from '../components/StructurePicker';
import { t } from '../i18n';

const HEALTH = ['10', '21', '40', '50', '60', '70', '91'];
const SOCIAL = ['ASS', 'EDS', 'AS', 'COORD', 'AUTRE'];
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

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
  const [structure, setStructure] = useState<Structure | null>(null);
  const [notListed, setNotListed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [done, setDone] = useState<string | null>(null);

  const validate = (): FieldErrors => {
    const e: FieldErrors = {};
    const req = (k: string, v: string) => { if (!v.trim()) e[k] = t.common.fieldRequired; };
    req('first_name', f.first_name); req('last_name', f.last_name); req('email', f.email);
    if (f.email.trim() && !EMAIL_RE.test(f.email.trim())) e.email = t.fields.emailInvalid;
    req('profession_code', f.profession_code);
    if (f.profession_code === 'AUTRE') req('profession_label', f.other);
    if (f.rpps.trim() && !/^\d{11}$/.test(f.rpps.replace(/\s/g, ''))) e.rpps = t.fields.rppsInvalid;
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
    const body: EnrolmentRequest = {
      email: f.email.trim(), password: f.password, first_name: f.first_name.trim(), last_name: f.last_name.trim(),
      profession_code: code, profession_label: code === 'AUTRE' ? f.other.trim() : t.professions[code],
    };
    if (f.specialty.trim()) body.specialty = f.specialty.trim();
    if (f.rpps.trim()) body.rpps = f.rpps.replace(/\s/g, '');
    if (f.phone.trim()) body.phone = f.phone.trim();
    if (notListed) body.structure_proposal = { name: f.proposal_name.trim(), commune: f.proposal_commune.trim() };
    else if (structure) body.structure_id = structure.id;
    setBusy(true);
    try {
      await api.enrol(body);
      setDone(body.email);
    } catch (err) {
      setProblem(isApiError(err) ? err : new ApiError({ status: 0, type: 'unknown', title: t.problems.unknown }));
      setErrors(fieldErrorsOf(err));
    } finally { setBusy(false); }
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
      <ErrorSummary problem={problem} fields={errors} labels={labels} />
      <form class="form" onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        <fieldset class="card">
          <legend>{t.signup.identity}</legend>
          <div class="grid-2">
            <TextField name="first_name" label={t.fields.firstName} required value={f.first_name} onValue={set('first_name')} error={errors.first_name} autocomplete="given-name" />
            <TextField name="last_name" label={t.fields.lastName} required value={f.last_name} onValue={set('last_name')} error={errors.last_name} autocomplete="family-name" />
          </div>
          <TextField name="email" label={t.fields.email} hint={t.fields.emailHint} type="email" required value={f.email} onValue={set('email')}
            error={errors.email} autocomplete="email" inputMode="email" autoCapitalize="none" spellcheck={false} />
          <TextField name="phone" label={t.fields.phone} hint={t.fields.phoneHint} type="tel" value={f.phone} onValue={set('phone')} error={errors.phone} autocomplete="tel" />
        </fieldset>

        <fieldset class="card">
          <legend>{t.signup.professionSection}</legend>
          <SelectField name="profession_code" label={t.fields.profession} required value={f.profession_code} onValue={set('profession_code')} error={errors.profession_code}>
            <option value="">{t.fields.professionChoose}</option>
            <optgroup label={t.professionGroups.health}>{HEALTH.map((c) => <option value={c} key={c}>{t.professions[c]}</option>)}</optgroup>
            <optgroup label={t.professionGroups.social}>{SOCIAL.map((c) => <option value={c} key={c}>{t.professions[c]}</option>)}</optgroup>
          </SelectField>
          {f.profession_code === 'AUTRE' && (
            <TextField name="profession_label" label={t.fields.professionOther} required value={f.other} onValue={set('other')} error={errors.profession_label} />
          )}
          <TextField name="specialty" label={t.fields.specialty} value={f.specialty} onValue={set('specialty')} error={errors.specialty} />
          <TextField name="rpps" label={t.fields.rpps} hint={t.fields.rppsHint} value={f.rpps} onValue={set('rpps')} error={errors.rpps}
            inputMode="numeric" maxLength={14} autocomplete="off" />
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
