// Reopened without network, on a device that keeps an offline store: the device code opens it
// (offline/sync.ts; 5 wrong codes wipe it).
import { useState } from 'preact/hooks';
import { Page } from '../components/Page';
import { TextField } from '../components/forms';
import { t } from '../i18n';
import { getMeta } from '../offline/store';
import { syncedAt, unlock } from '../offline/sync';
import { switchAccount } from '../offline/outbox';

export function OfflineUnlock() {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      const r = await unlock(code);
      if (r.result === 'ok') {
        const meta = await getMeta();
        await switchAccount(meta?.account ?? null);  // its waiting writes, and the ones written now
      } else setError(r.result === 'wrong' ? t.offline.wrongCode(r.left ?? 0) : t.offline.wipedFailures);
    } finally { setBusy(false); setCode(''); }
  };
  return (
    <Page title={t.offline.unlockTitle} narrow intro={t.offline.unlockIntro}>
      <p class="muted" data-testid="freshness">{t.offline.synced(syncedAt.value)}</p>
      <form onSubmit={submit} noValidate>
        <TextField name="device-code" label={t.offline.code} hint={t.offline.codeHint} error={error} required value={code}
          onValue={setCode} type="password" inputMode="numeric" autoComplete="off" />
        <button type="submit" class="btn btn--primary" aria-disabled={busy ? 'true' : undefined}>{busy ? t.offline.unlocking : t.offline.unlock}</button>
      </form>
    </Page>
  );
}
