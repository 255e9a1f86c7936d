import { useState } from 'preact/hooks';
import { api, ApiError, isApiError } from '../api';
import { Page } from '../components/Page';
import { ErrorSummary, PasswordField, SubmitButton, TextField, fieldErrorsOf, type FieldErrors } from '../components/forms';
import { t } from '../i18n';
import { route } from '../router';
import { me } from '../state/session';

export function Reset() {
  const token = route.value.query.get('jeton');
  const [password, setPassword] = useState('');
  const [password2, setPassword2] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});

  if (!token) {
    return (
      <Page title={t.reset.title} narrow>
        <div class="error-summary" role="alert"><h2 class="error-summary__title">{t.problems.titles['invalid-token']}</h2><p>{t.reset.missing}</p></div>
        <p><a href="/mot-de-passe-oublie">{t.reset.newRequest}</a></p>
      </Page>
    );
  }
  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    const e: FieldErrors = {};
    if (password.length < 12) e.password = t.password.tooShort;
    else if (password.length > 256) e.password = t.password.tooLong;
    if (password2 !== password) e.password2 = t.fields.passwordMismatch;
    setErrors(e); setProblem(null);
    if (Object.keys(e).length) return;
    setBusy(true);
    try { await api.passwordResetConfirm(token, password); me.value = null; setDone(true); }
    catch (err) { setProblem(isApiError(err) ? err : null); setErrors(fieldErrorsOf(err)); }
    finally { setBusy(false); }
  };
  if (done) {
    return (
      <Page title={t.reset.doneTitle} narrow>
        <div class="card" role="status"><p data-testid="reset-done">{t.reset.doneText}</p></div>
        <p><a class="btn btn--primary" href="/connexion">{t.reset.toLogin}</a></p>
      </Page>
    );
  }
  return (
    <Page title={t.reset.title} narrow intro={t.reset.intro}>
      <ErrorSummary problem={problem} fields={errors} labels={{ password: t.fields.newPassword, password2: t.fields.passwordConfirm }} />
      {problem?.type === 'invalid-token' && <p><a href="/mot-de-passe-oublie">{t.reset.newRequest}</a></p>}
      <form class="card form" onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        <PasswordField label={t.fields.newPassword} value={password} onValue={setPassword} error={errors.password} />
        <TextField name="password2" label={t.fields.passwordConfirm} type="password" required value={password2} onValue={setPassword2}
          error={errors.password2} autocomplete="new-password" />
        <div class="actions"><SubmitButton busy={busy} label={t.reset.submit} busyLabel={t.reset.submitting} /></div>
      </form>
    </Page>
  );
}
