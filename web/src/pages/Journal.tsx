import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, isApiError, type AuditEvent, type AuditVerify } from '../api';
import { Page } from '../components/Page';
import { Loading, SelectField, SubmitButton, TextField } from '../components/forms';
import { t, formatDateTime } from '../i18n';

interface Filters { action: string; actor: string; outcome: string }
const EMPTY: Filters = { action: '', actor: '', outcome: '' };

function detailText(d: unknown): string {
  if (d === null || d === undefined || d === '') return '';
  if (typeof d === 'string') return d;
  try { return JSON.stringify(d); } catch { return String(d); }
}

export function Journal() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [items, setItems] = useState<AuditEvent[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [verify, setVerify] = useState<AuditVerify | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [verifyError, setVerifyError] = useState<ApiError | null>(null);

  const load = async (f: Filters, before: number | null) => {
    setLoading(true); setError(null);
    try {
      const page = await api.audit({ action: f.action.trim(), actor: f.actor.trim(), outcome: f.outcome, before });
      setItems((old) => (before === null ? page.items : [...(old ?? []), ...page.items]));
      setNext(page.next_before ?? null);
    } catch (e) { setError(isApiError(e) ? e : null); }
    finally { setLoading(false); }
  };
  useEffect(() => { load(filters, null); }, [filters]);

  const runVerify = async () => {
    if (verifying) return;
    setVerifying(true); setVerify(null); setVerifyError(null);
    try { setVerify(await api.auditVerify()); } catch (e) { setVerifyError(isApiError(e) ? e : null); }
    finally { setVerifying(false); }
  };

  const set = (k: keyof Filters) => (v: string) => setDraft((o) => ({ ...o, [k]: v }));

  return (
    <Page title={t.audit.title} intro={t.audit.intro}>
      <section class="card" aria-labelledby="verify-title">
        <h2 id="verify-title" class="sr-only">{t.audit.verify}</h2>
        <button type="button" class="btn btn--secondary" onClick={runVerify} aria-disabled={verifying ? 'true' : undefined} aria-describedby="verify-result">
          {verifying && <span class="spinner" aria-hidden="true" />}{verifying ? t.audit.verifying : t.audit.verify}
        </button>
        <div id="verify-result" role="status" data-testid="verify-result"
          class={verify ? (verify.ok ? 'notice notice--success' : 'notice notice--error') : verifyError ? 'notice notice--error' : ''}>
          {verify ? (verify.ok ? t.audit.verifyOk(verify.checked) : t.audit.verifyBad(verify.first_bad_seq, verify.problem, verify.checked))
            : verifyError ? verifyError.title : ''}
        </div>
      </section>
      <form class="card form filters" role="search" aria-label={t.audit.filters}
        onSubmit={(e) => { e.preventDefault(); setFilters({ ...draft }); }}>
        <h2>{t.audit.filters}</h2>
        <div class="grid-3">
          <TextField name="action" label={t.audit.action} hint={t.audit.actionHint} value={draft.action} onValue={set('action')} optionalMark={false} autoCapitalize="none" spellcheck={false} />
          <TextField name="actor" label={t.audit.actor} value={draft.actor} onValue={set('actor')} optionalMark={false} autoCapitalize="none" spellcheck={false} />
          <SelectField name="outcome" label={t.audit.outcome} value={draft.outcome} onValue={set('outcome')} optionalMark={false}>
            <option value="">{t.audit.outcomeAll}</option>
            {Object.entries(t.audit.outcomes).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
          </SelectField>
        </div>
        <div class="actions">
          <SubmitButton busy={loading && items !== null} label={t.audit.apply} busyLabel={t.app.loading} />
          <button type="button" class="btn btn--ghost" onClick={() => { setDraft(EMPTY); setFilters(EMPTY); }}>{t.audit.reset}</button>
        </div>
      </form>
      {error && <div class="error-summary" role="alert"><h2 class="error-summary__title">{error.title}</h2><p>{error.detail}</p></div>}
      {items === null ? (loading && <Loading />) : (
        <div>
          <p role="status" class="count" data-testid="audit-count">{t.audit.shown(items.length)}</p>
          {items.length === 0 ? <p class="muted">{t.audit.empty}</p> : (
            <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="audit-caption">
              <table class="table" data-testid="audit-table">
                <caption id="audit-caption">{t.audit.caption}</caption>
                <thead><tr>
                  <th scope="col">{t.audit.cols.seq}</th><th scope="col">{t.audit.cols.at}</th><th scope="col">{t.audit.cols.actor}</th>
                  <th scope="col">{t.audit.cols.action}</th><th scope="col">{t.audit.cols.target}</th><th scope="col">{t.audit.cols.ip}</th>
                  <th scope="col">{t.audit.cols.outcome}</th><th scope="col">{t.audit.cols.detail}</th>
                </tr></thead>
                <tbody>
                  {items.map((ev) => (
                    <tr key={ev.seq}>
                      <td>{ev.seq}</td>
                      <td><time dateTime={ev.at}>{formatDateTime(ev.at)}</time></td>
                      <td>{ev.actor_email ?? ev.actor_id ?? t.audit.system}</td>
                      <td><code>{ev.action}</code></td>
                      <td>{ev.target_type ? `${ev.target_type}${ev.target_id ? ' ' + ev.target_id : ''}` : t.common.none}</td>
                      <td>{ev.ip ?? t.common.none}</td>
                      <td><span class={`outcome outcome--${ev.outcome}`}>{t.audit.outcomes[ev.outcome] ?? ev.outcome}</span></td>
                      <td class="detail">{detailText(ev.detail)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div class="actions">
            {next !== null ? (
              <button type="button" class="btn btn--secondary" aria-disabled={loading ? 'true' : undefined}
                onClick={() => { if (!loading) load(filters, next); }}>
                {loading && <span class="spinner" aria-hidden="true" />}{loading ? t.audit.loadingMore : t.audit.loadMore}
              </button>
            ) : items.length > 0 && <p class="muted">{t.audit.end}</p>}
          </div>
        </div>
      )}
    </Page>
  );
}
