// The second step of a password login: the 6-digit code of the authenticator app, or a recovery code instead.
// Used by the login page and by "J'ai déjà un compte" of the first Pro Santé Connect login; what differs is given
// as props (the button's words, the form drawn as a card or inside one, what a right code leads to).
import { useState } from 'preact/hooks';
import { ApiError, asApiError, isApiError } from '../api';
import { ErrorSummary, SubmitButton, TextField, fieldErrorsOf, type FieldErrors } from './forms';
import { t } from '../i18n';


export interface SecondFactorFormProps {
  /** The submit button's words, and its words while the code is checked. */
  submitLabel: string;
  busyLabel: string;
  /**
   * Sends the code (spaces removed; a recovery code in lower case) and does what follows a right one. A rejection
   * with the server's problem is shown above the form; anything the caller handles itself should not reject.
   */
  onCode: (code: string) => Promise<void>;
  /**
   * Back to the password step: the person asked for it (problem null), or the pending login has gone
   * (unauthenticated, session-expired), whose problem the password step then shows.
   */
  onRestart: (problem: ApiError | null) => void;
  /** The form is a card of its own (the login page), or sits in the caller's card (class "form" only). */
  card?: boolean;
}

export function SecondFactorForm({ submitLabel, busyLabel, onCode, onRestart, card = false }: SecondFactorFormProps) {
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    const c = code.replace(/\s+/g, '');
    const ok = recovery ? /^[a-z0-9]{5}-?[a-z0-9]{5}$/i.test(c) : /^\d{6}$/.test(c);
    setProblem(null);
    if (!ok) { setErrors({ code: recovery ? t.login.recoveryInvalid : t.login.totpInvalid }); return; }
    setErrors({});
    setBusy(true);
    try {
      await onCode(recovery ? c.toLowerCase() : c);
    } catch (e) {
      const err = asApiError(e);
      if (isApiError(err, 'unauthenticated') || isApiError(err, 'session-expired')) { onRestart(err); return; }
      setProblem(err);
      setErrors(fieldErrorsOf(err));
    } finally { setBusy(false); }
  };

  const label = recovery ? t.login.recoveryLabel : t.login.totpLabel;
  return (<>
    <ErrorSummary problem={problem} fields={errors} labels={{ code: label }} />
    <form class={card ? 'card form' : 'form'} onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
      {recovery ? (
        <TextField key="recovery" name="code" label={t.login.recoveryLabel} hint={t.login.recoveryHint} required value={code}
          onValue={setCode} error={errors.code} autocomplete="off" autoCapitalize="none" spellcheck={false} />
      ) : (
        <TextField key="totp" name="code" label={t.login.totpLabel} hint={t.login.totpHint} required value={code}
          onValue={setCode} error={errors.code} inputMode="numeric" autocomplete="one-time-code" maxLength={6}
          pattern="[0-9]{6}" class="input--code" autoFocus />
      )}
      <div class="actions">
        <SubmitButton busy={busy} label={submitLabel} busyLabel={busyLabel} />
        <button type="button" class="btn btn--link" onClick={() => { setRecovery(!recovery); setCode(''); setErrors({}); }}>
          {recovery ? t.login.useTotp : t.login.useRecovery}
        </button>
      </div>
    </form>
    <p><button type="button" class="btn btn--link" onClick={() => onRestart(null)}>{t.login.restart}</button></p>
  </>);
}
