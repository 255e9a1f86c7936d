import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, isApiError } from '../api';
import { Page } from '../components/Page';
import { ErrorSummary, TextField, PasswordField, SubmitButton, Status, fieldErrorsOf, type FieldErrors } from '../components/forms';
import { t } from '../i18n';
import { navigate, route, safeBack } from '../router';
import { flash, me, sessionOpened } from '../state/session';

export function Login() {
  const [step, setStep] = useState<'password' | 'totp'>('password');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice] = useState(() => { const f = flash.value; flash.value = null; return f ? (t.login as any)[f] as string : null; });
  const back = safeBack(route.value.query);

  useEffect(() => { if (me.value) navigate(back, { replace: true }); }, [me.value]);

  const fail = (e: unknown) => {
    const err = isApiError(e) ? e : new ApiError({ status: 0, type: 'unknown', title: t.problems.unknown });
    setProblem(err);
    setErrors(fieldErrorsOf(err));
  };

  const submitPassword = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    const errs: FieldErrors = {};
    if (!email.trim()) errs.email = t.common.fieldRequired;
    if (!password) errs.password = t.common.fieldRequired;
    setErrors(errs); setProblem(null);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const res = await api.login(email.trim(), password);
      if (res.next === 'totp_enrol') { navigate('/double-authentification'); return; }
      setStep('totp'); setCode(''); setPassword('');
    } catch (e) { fail(e); } finally { setBusy(false); }
  };

  const submitCode = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    const c = code.replace(/\s+/g, '');
    const ok = recovery ? /^[a-z0-9]{5}-?[a-z0-9]{5}$/i.test(c) : /^\d{6}$/.test(c);
    setProblem(null);
    if (!ok) { setErrors({ code: recovery ? t.login.recoveryInvalid : t.login.totpInvalid }); return; }
    setErrors({});
    setBusy(true);
    try {
      const res = await api.totp(recovery ? c.toLowerCase() : c);
      sessionOpened(res.account ?? await api.me());
      navigate(back, { replace: true });
    } catch (e) {
      if (isApiError(e, 'unauthenticated') || isApiError(e, 'session-expired')) { setStep('password'); }
      fail(e);
    } finally { setBusy(false); }
  };

  if (step === 'totp') {
    return (
      <Page title={t.login.totpTitle} narrow intro={t.login.totpIntro}>
        <ErrorSummary problem={problem} fields={errors} labels={{ code: recovery ? t.login.recoveryLabel : t.login.totpLabel }} />
        <form class="card form" onSubmit={submitCode} noValidate aria-busy={busy ? 'true' : undefined}>
          {recovery ? (
            <TextField key="recovery" name="code" label={t.login.recoveryLabel} hint={t.login.recoveryHint} required value={code}
              onValue={setCode} error={errors.code} autocomplete="off" autoCapitalize="none" spellcheck={false} />
          ) : (
            <TextField key="totp" name="code" label={t.login.totpLabel} hint={t.login.totpHint} required value={code}
              onValue={setCode} error={errors.code} inputMode="numeric" autocomplete="one-time-code" maxLength={6}
              pattern="[0-9]{6}" class="input--code" autoFocus />
          )}
          <div class="actions">
            <SubmitButton busy={busy} label={t.login.verify} busyLabel={t.login.verifying} />
            <button type="button" class="btn btn--link" onClick={() => { setRecovery(!recovery); setCode(''); setErrors({}); }}>
              {recovery ? t.login.useTotp : t.login.useRecovery}
            </button>
          </div>
        </form>
        <p><button type="button" class="btn btn--link" onClick={() => { setStep('password'); setProblem(null); setErrors({}); }}>{t.login.restart}</button></p>
      </Page>
    );
  }

  return (
    <Page title={t.login.title} narrow intro={t.login.intro}>
      <Status message={notice} tone="info" />
      <ErrorSummary problem={problem} fields={errors} labels={{ email: t.fields.email, password: t.fields.password }} />
      <form class="card form" onSubmit={submitPassword} noValidate aria-busy={busy ? 'true' : undefined}>
        <TextField name="email" label={t.fields.email} type="email" required value={email} onValue={setEmail}
          error={errors.email} autocomplete="username" autoCapitalize="none" spellcheck={false} inputMode="email" />
        <PasswordField label={t.fields.password} value={password} onValue={setPassword} error={errors.password}
          autocomplete="current-password" meter={false} />
        <div class="actions">
          <SubmitButton busy={busy} label={t.login.submit} busyLabel={t.login.submitting} />
          <a href="/mot-de-passe-oublie">{t.login.forgot}</a>
        </div>
      </form>
      <p class="aside">{t.login.noAccount} <a href="/inscription">{t.login.signup}</a></p>
    </Page>
  );
}
