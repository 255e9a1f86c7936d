import { useState } from 'preact/hooks';
import { api, ApiError, isApiError } from '../api';
import { Page } from '../components/Page';
import { ErrorSummary, SubmitButton, TextField, fieldErrorsOf, type FieldErrors } from '../components/forms';
import { t } from '../i18n';

export function Forgot() {
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    setProblem(null);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) { setErrors({ email: t.fields.emailInvalid }); return; }
    setErrors({});
    setBusy(true);
    try { await api.passwordReset(email.trim()); setDone(true); }
    catch (e) { setProblem(isApiError(e) ? e : null); setErrors(fieldErrorsOf(e)); }
    finally { setBusy(false); }
  };
  if (done) {
    return (
      <Page title={t.forgot.doneTitle} narrow>
        <div class="card" role="status"><p data-testid="reset-sent">{t.forgot.doneText}</p></div>
        <p><a href="/connexion">{t.forgot.backToLogin}</a></p>
      </Page>
    );
  }
  return (
    <Page title={t.forgot.title} narrow intro={t.forgot.intro}>
      <ErrorSummary problem={problem} fields={errors} labels={{ email: t.fields.email }} />
      <form class="card form" onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        <TextField name="email" label={t.fields.email} type="email" required value={email} onValue={setEmail} error={errors.email}
          autocomplete="username" inputMode="email" autoCapitalize="none" spellcheck={false} />
        <div class="actions">
          <SubmitButton busy={busy} label={t.forgot.submit} busyLabel={t.forgot.submitting} />
          <a href="/connexion">{t.forgot.backToLogin}</a>
        </div>
      </form>
    </Page>
  );
}
