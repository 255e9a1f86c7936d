import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type ApiError } from '../api';
import { Page } from '../components/Page';
import { PasswordForm } from '../components/PasswordForm';
import { SecondFactorForm } from '../components/SecondFactorForm';
import { Status } from '../components/forms';
import { t } from '../i18n';
import { navigate, route, safeBack } from '../router';
import { flash, me, sessionOpened } from '../state/session';

export function Login() {
  const [step, setStep] = useState<'password' | 'totp'>('password');
  // Kept across the steps: a restart from the second step comes back with the address and why.
  const [email, setEmail] = useState('');
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [notice] = useState(() => { const f = flash.value; flash.value = null; return f ? (t.login as any)[f] as string : null; });
  const back = safeBack(route.value.query);
  // Pro Santé Connect: offered only when the platform has it; /connexion?psc=… is how its callback says what failed.
  const [pscEnabled, setPscEnabled] = useState(false);
  const [pscCode] = useState(() => route.value.query.get('psc'));
  const pscResult = (pscCode && t.psc.results[pscCode]) || null;
  const pscRef = useRef<HTMLDivElement>(null);

  useEffect(() => { if (me.value) navigate(back, { replace: true }); }, [me.value]);
  useEffect(() => {
    let live = true;
    api.pscStatus().then((s) => { if (live) setPscEnabled(!!s.enabled); }).catch(() => { /* not offered */ });
    return () => { live = false; };
  }, []);
  useEffect(() => {
    if (!pscResult) return;
    pscRef.current?.focus();
    // The message stays on screen; a reload or a shared address does not show it again.
    const q = new URLSearchParams(route.value.query);
    q.delete('psc');
    const rest = q.toString();
    navigate('/connexion' + (rest ? '?' + rest : ''), { replace: true, scroll: false });
  }, []);
  // Refused or disabled: an error; cancelled or waiting for approval: information.
  const pscIsError = pscCode === 'refuse' || pscCode === 'desactive';

  const checkPassword = async (address: string, password: string) => {
    setEmail(address);
    const res = await api.login(address, password);
    if (res.next === 'totp_enrol') { navigate('/double-authentification'); return; }
    setProblem(null); setStep('totp');
  };

  // The second step: a right code opens the session; a pending login that has gone sends back to the password.
  const openSession = async (c: string) => {
    const res = await api.totp(c);
    sessionOpened(res.account ?? await api.me());
    navigate(back, { replace: true });
  };
  const restart = (p: ApiError | null) => { setStep('password'); setProblem(p); };

  if (step === 'totp') {
    return (
      <Page title={t.login.totpTitle} narrow intro={t.login.totpIntro}>
        <SecondFactorForm card submitLabel={t.login.verify} busyLabel={t.login.verifying} onCode={openSession} onRestart={restart} />
      </Page>
    );
  }

  return (
    <Page title={t.login.title} narrow intro={pscEnabled ? t.login.introPsc : t.login.intro}>
      {pscResult && (
        <div class={pscIsError ? 'error-summary' : 'notice notice--info'} role={pscIsError ? 'alert' : 'status'} tabIndex={-1}
          ref={pscRef} data-testid="psc-result" data-psc={pscCode ?? undefined}>
          <h2 class={pscIsError ? 'error-summary__title' : 'card__title'}>{pscResult.title}</h2>
          <p>{pscResult.text}</p>
        </div>
      )}
      <Status message={notice} tone="info" />
      {pscEnabled && (
        <div class="card">
          <a class="btn btn--primary btn--block" href={api.pscStartUrl} aria-describedby="psc-login-line" data-testid="psc-login">
            {t.psc.login}
          </a>
          <p class="hint" id="psc-login-line">{t.psc.loginLine}</p>
        </div>
      )}
      {pscEnabled && <h2 class="card__title">{t.psc.orPassword}</h2>}
      <PasswordForm card initialEmail={email} initialProblem={problem} submitLabel={t.login.submit}
        busyLabel={t.login.submitting} onPassword={checkPassword} />
      <p class="aside">{t.login.noAccount} <a href="/inscription">{t.login.signup}</a></p>
    </Page>
  );
}
