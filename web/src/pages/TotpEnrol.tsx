import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, asApiError, type TotpEnrolment, type TotpEnrolled } from '../api';
import { Page } from '../components/Page';
import { ErrorSummary, Loading, Status, SubmitButton, TextField, fieldErrorsOf, type FieldErrors } from '../components/forms';
import { t } from '../i18n';
import { navigate } from '../router';
import { sessionOpened } from '../state/session';

const group4 = (s: string) => s.replace(/\s+/g, '').match(/.{1,4}/g)?.join(' ') ?? s;

async function copy(text: string): Promise<boolean> {
  try { await navigator.clipboard.writeText(text); return true; } catch { return false; }
}

export function TotpEnrol() {
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [result, setResult] = useState<TotpEnrolled | null>(null);
  const [saved, setSaved] = useState(false);
  const [showPending, setShowPending] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const started = useRef(false);
  // Back from the authenticator app opened by the otpauth:// link, the code it shows goes straight into the field.
  const awayToApp = useRef(false);
  useEffect(() => {
    const back = () => {
      if (!awayToApp.current || document.visibilityState !== 'visible') return;
      awayToApp.current = false;
      document.getElementById('f-code')?.focus();
    };
    document.addEventListener('visibilitychange', back);
    window.addEventListener('focus', back);
    return () => { document.removeEventListener('visibilitychange', back); window.removeEventListener('focus', back); };
  }, []);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    api.totpEnrolment().then(async (e) => {
      setEnrolment(e);
      // The QR library is loaded only on this page to keep the main bundle small.
      const QR = await import('qrcode');
      setQr(await QR.toString(e.otpauth_uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
    }).catch((e) => setLoadError(asApiError(e)));
  }, []);

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    const c = code.replace(/\s+/g, '');
    setProblem(null);
    if (!/^\d{6}$/.test(c)) { setErrors({ code: t.login.totpInvalid }); return; }
    setErrors({});
    setBusy(true);
    try {
      const res = await api.totpEnrol(c);
      setResult(res);
      if (res.status === 'active' && res.account) sessionOpened(res.account);
    } catch (e) {
      setProblem(asApiError(e));
      setErrors(fieldErrorsOf(e));
    } finally { setBusy(false); }
  };

  if (showPending) {
    return (
      <Page title={t.enrol.pendingTitle} narrow>
        <div class="card" data-testid="pending-approval">
          <p>{t.enrol.pendingText}</p>
          <p><a href="/connexion">{t.enrol.toLogin}</a></p>
        </div>
      </Page>
    );
  }

  if (result) {
    const codes = result.recovery_codes;
    const download = () => {
      const blob = new Blob([`${t.enrol.fileHeader}\n\n${codes.join('\n')}\n`], { type: 'text/plain;charset=utf-8' });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob); a.download = t.enrol.fileName;
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    };
    const next = (ev: Event) => {
      ev.preventDefault();
      if (!saved) { setErrors({ saved: t.enrol.savedRequired }); return; }
      if (result.status === 'active') navigate('/', { replace: true }); else setShowPending(true);
    };
    return (
      <Page title={t.enrol.codesTitle} narrow intro={t.enrol.codesIntro}>
        <ErrorSummary problem={null} fields={errors.saved ? { saved: errors.saved } : {}} />
        <div class="card printable">
          <h2 id="codes-title" class="sr-only">{t.enrol.codesList}</h2>
          <ol class="codes" aria-labelledby="codes-title" data-testid="recovery-codes">
            {codes.map((c) => <li key={c}><code>{c}</code></li>)}
          </ol>
          <div class="actions no-print">
            <button type="button" class="btn btn--secondary" onClick={download}>{t.enrol.download}</button>
            <button type="button" class="btn btn--secondary" onClick={() => window.print()}>{t.enrol.print}</button>
          </div>
        </div>
        <form class="form no-print" onSubmit={next} noValidate>
          <div class={'check' + (errors.saved ? ' field--error' : '')}>
            <input type="checkbox" id="f-saved" checked={saved} aria-describedby={errors.saved ? 'f-saved-error' : undefined}
              aria-invalid={errors.saved ? 'true' : undefined} onChange={(e) => setSaved((e.currentTarget as HTMLInputElement).checked)} />
            <label for="f-saved">{t.enrol.saved}</label>
          </div>
          {errors.saved && <p class="field-error" id="f-saved-error">{errors.saved}</p>}
          <div class="actions">
            <button type="submit" class="btn btn--primary">{result.status === 'active' ? t.enrol.toPortal : t.common.continue}</button>
          </div>
        </form>
      </Page>
    );
  }

  return (
    <Page title={t.enrol.title} narrow intro={t.enrol.intro}>
      {loadError ? (
        <div class="error-summary" role="alert">
          <h2 class="error-summary__title">{loadError.title}</h2>
          <p>{loadError.status === 401 || loadError.status === 403 ? t.enrol.noSession : loadError.detail}</p>
          <p><a href="/connexion">{t.enrol.toLogin}</a></p>
        </div>
      ) : !enrolment ? <Loading label={t.enrol.loadingSecret} /> : (<>
        <section class="card" aria-labelledby="enrol-step1">
          <h2 id="enrol-step1">{t.enrol.step1}</h2>
          <p class="otp-open">
            <a class="btn btn--primary btn--block" href={enrolment.otpauth_uri} rel="external" data-testid="otpauth-link"
              onClick={() => { awayToApp.current = true; }}>{t.enrol.openApp}</a>
          </p>
          <p class="hint otp-open">{t.enrol.openAppHint}</p>
          <div class="enrol-grid">
            <figure class="qr">
              {qr ? <div class="qr__img" role="img" aria-label={t.enrol.qrAlt} dangerouslySetInnerHTML={{ __html: qr }} /> : <Loading />}
              <figcaption>{t.enrol.qrHelp}</figcaption>
            </figure>
            <div>
              <p id="secret-label">{t.enrol.secretLabel}</p>
              <p class="secret"><code data-testid="totp-secret" aria-labelledby="secret-label">{group4(enrolment.secret)}</code></p>
              <button type="button" class="btn btn--secondary btn--small"
                onClick={async () => { const ok = await copy(enrolment.secret); awayToApp.current = ok; setStatus(ok ? t.common.copied : t.common.copyFailed); }}>
                {t.enrol.copySecret}
              </button>
              <Status message={status} tone="info" />
            </div>
          </div>
        </section>
        <section class="card" aria-labelledby="enrol-step2">
          <h2 id="enrol-step2">{t.enrol.step2}</h2>
          <ErrorSummary problem={problem} fields={errors} labels={{ code: t.enrol.codeLabel }} />
          <form class="form" onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
            <TextField name="code" label={t.enrol.codeLabel} hint={t.login.totpHint} required value={code} onValue={setCode}
              error={errors.code} inputMode="numeric" autocomplete="one-time-code" maxLength={6} pattern="[0-9]{6}" class="input--code" />
            <div class="actions">
              <SubmitButton busy={busy} label={t.enrol.submit} busyLabel={t.enrol.submitting} />
            </div>
          </form>
        </section>
      </>)}
    </Page>
  );
}
