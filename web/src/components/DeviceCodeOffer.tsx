// Offered on the portal while this device has no code (not above Mes patients: the patients come first there): choosing one lets the offline store be opened without
// network (offline/sync.ts). One line until opened, so that the patients stay on the first screen.
import { useState } from 'preact/hooks';
import { Dialog } from './Dialog';
import { TextField } from './forms';
import { t } from '../i18n';
import { chooseCode, needsCode } from '../offline/sync';

export function DeviceCodeOffer() {
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<{ code?: string; again?: string }>({});
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!needsCode.value && !done) return null;
  const submit = async (e: Event) => {
    e.preventDefault();
    const errs = { code: /^\d{6,}$/.test(code) ? undefined : t.offline.codeTooShort, again: code === again ? undefined : t.offline.codeMismatch };
    setErrors(errs);
    if (errs.code || errs.again || busy) return;
    setBusy(true);
    try { await chooseCode(code); setDone(true); setOpen(false); } finally { setBusy(false); }
  };
  return (
    <div class="device-code-offer">
      {done ? <p class="notice notice--success" role="status">{t.offline.offerDone}</p> : (
        <button type="button" class="btn btn--secondary" onClick={() => setOpen(true)}>{t.offline.offerOpen}</button>
      )}
      <Dialog open={open} id="device-code" title={t.offline.offerTitle} onClose={() => setOpen(false)}>
        <p>{t.offline.offerIntro}</p>
        <form onSubmit={submit} noValidate>
          <TextField name="new-device-code" label={t.offline.code} hint={t.offline.codeHint} error={errors.code} required value={code}
            onValue={setCode} type="password" inputMode="numeric" autoComplete="off" />
          <TextField name="new-device-code-again" label={t.offline.codeAgain} error={errors.again} required value={again}
            onValue={setAgain} type="password" inputMode="numeric" autoComplete="off" />
          <button type="submit" class="btn btn--primary" aria-disabled={busy ? 'true' : undefined}>{t.offline.offerSubmit}</button>
        </form>
      </Dialog>
    </div>
  );
}
