// The first step of a password login: email and password, checked here for emptiness, then given to the caller.
// Used by the login page and by "J'ai déjà un compte" of the first Pro Santé Connect login; what differs is given
// as props (the button's words, the form drawn as a card or inside one, what a right password leads to).
import { useState } from 'preact/hooks';
import { ApiError, asApiError } from '../api';
import { ErrorSummary, PasswordField, SubmitButton, TextField, fieldErrorsOf, type FieldErrors } from './forms';
import { t } from '../i18n';

export interface PasswordFormProps {
  /** The address to start with (the one typed before a restart, or one the caller knows). */
  initialEmail?: string;
  /** A problem to show from the start: why the second step sent the person back here. */
  initialProblem?: ApiError | null;
  submitLabel: string;
  busyLabel: string;
  /**
   * Sends the address (trimmed) and the password and does what follows a right pair. A rejection with the server's
   * problem is shown above the form, its fields beside theirs.
   */
  onPassword: (email: string, password: string) => Promise<void>;
  /** The form is a card of its own (the login page), or sits in the caller's card (class "form" only). */
  card?: boolean;
}

export function PasswordForm({ initialEmail = '', initialProblem = null, submitLabel, busyLabel, onPassword, card = false }:
  PasswordFormProps) {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiError | null>(initialProblem);
  const [errors, setErrors] = useState<FieldErrors>(() => (initialProblem ? fieldErrorsOf(initialProblem) : {}));

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    const errs: FieldErrors = {};
    if (!email.trim()) errs.email = t.common.fieldRequired;
    if (!password) errs.password = t.common.fieldRequired;
    setErrors(errs); setProblem(null);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await onPassword(email.trim(), password);
    } catch (e) {
      const err = asApiError(e);
      setProblem(err);
      setErrors(fieldErrorsOf(err));
    } finally { setBusy(false); }
  };

  return (<>
    <ErrorSummary problem={problem} fields={errors} labels={{ email: t.fields.email, password: t.fields.password }} />
    <form class={card ? 'card form' : 'form'} onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
      <TextField name="email" label={t.fields.email} type="email" required value={email} onValue={setEmail}
        error={errors.email} autocomplete="username" autoCapitalize="none" spellcheck={false} inputMode="email" />
      <PasswordField label={t.fields.password} value={password} onValue={setPassword} error={errors.password}
        autocomplete="current-password" meter={false} />
      <div class="actions">
        <SubmitButton busy={busy} label={submitLabel} busyLabel={busyLabel} />
        <a href="/mot-de-passe-oublie">{t.login.forgot}</a>
      </div>
    </form>
  </>);
}
