import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, isApiError, type Enrolment, type Role } from '../api';
import { Page } from '../components/Page';
import { Dialog } from '../components/Dialog';
import { ErrorSummary, Loading, SelectField, Status, SubmitButton, TextAreaField, fieldErrorsOf, type FieldErrors } from '../components/forms';
import { t, formatDateTime } from '../i18n';
import { isOperator } from '../state/session';

const ROLES: Role[] = ['professional', 'coordinator', 'structure_admin', 'operator'];

export function Approvals() {
  const [items, setItems] = useState<Enrolment[] | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [action, setAction] = useState<{ kind: 'approve' | 'reject'; item: Enrolment } | null>(null);
  const [role, setRole] = useState<Role>('professional');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [status, setStatus] = useState<string | null>(null);

  useEffect(() => {
    api.enrolments('pending_approval').then((r) => setItems(r.items)).catch((e) => setLoadError(isApiError(e) ? e : null));
  }, []);

  const open = (kind: 'approve' | 'reject', item: Enrolment) => {
    setAction({ kind, item }); setRole('professional'); setReason(''); setProblem(null); setErrors({});
  };
  const close = () => { if (!busy) setAction(null); };
  const nameOf = (e: Enrolment) => `${e.first_name} ${e.last_name}`;

  const confirm = async (ev: Event) => {
    ev.preventDefault();
    if (!action || busy) return;
    setProblem(null);
    if (action.kind === 'reject') {
      const r = reason.trim();
      if (!r) { setErrors({ reason: t.approvals.reasonRequired }); return; }
      if (r.length > 500) { setErrors({ reason: t.approvals.reasonTooLong }); return; }
    }
    setErrors({});
    setBusy(true);
    try {
      if (action.kind === 'approve') await api.approve(action.item.id, isOperator.value ? role : undefined);
      else await api.reject(action.item.id, reason.trim());
      setItems((old) => (old ?? []).filter((x) => x.id !== action.item.id));
      setStatus(action.kind === 'approve' ? t.approvals.approved(nameOf(action.item)) : t.approvals.rejected(nameOf(action.item)));
      setAction(null);
    } catch (err) {
      setProblem(isApiError(err) ? err : null);
      setErrors(fieldErrorsOf(err));
    } finally { setBusy(false); }
  };

  return (
    <Page title={t.approvals.title} intro={t.approvals.intro}>
      <Status message={status} />
      {loadError && <div class="error-summary" role="alert"><h2 class="error-summary__title">{loadError.title}</h2><p>{loadError.detail}</p></div>}
      {items === null && !loadError ? <Loading /> : items && (<>
        <p class="count" aria-live="polite" data-testid="approvals-count">{t.approvals.count(items.length)}</p>
        {items.length === 0 ? <p class="card muted">{t.approvals.empty}</p> : (
          <ul class="cards">
            {items.map((e) => (
              <li key={e.id} class="card enrolment" data-testid="enrolment" data-email={e.email}>
                <h2 class="enrolment__name">{nameOf(e)}</h2>
                <dl class="props">
                  <div><dt>{t.approvals.email}</dt><dd>{e.email}</dd></div>
                  <div><dt>{t.approvals.profession}</dt><dd>{e.profession_label}{e.profession_code ? ` (${e.profession_code})` : ''}</dd></div>
                  {e.specialty && <div><dt>{t.approvals.specialty}</dt><dd>{e.specialty}</dd></div>}
                  <div><dt>{t.approvals.rpps}</dt><dd>{e.rpps || t.common.none}</dd></div>
                  <div><dt>{t.approvals.structures}</dt><dd>{e.structures?.length ? e.structures.map((s) => s.name + (s.proposed ? ` (${t.approvals.proposed})` : '')).join(', ') : t.common.none}</dd></div>
                  <div><dt>{t.approvals.requestedOn}</dt><dd>{formatDateTime(e.created_at)}</dd></div>
                </dl>
                <div class="actions">
                  <button type="button" class="btn btn--primary" onClick={() => open('approve', e)} aria-label={t.approvals.approveTitle(nameOf(e))}>{t.approvals.approve}</button>
                  <button type="button" class="btn btn--danger-outline" onClick={() => open('reject', e)} aria-label={t.approvals.rejectTitle(nameOf(e))}>{t.approvals.reject}</button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </>)}
      <Dialog id="decision" open={!!action} onClose={close}
        title={action ? (action.kind === 'approve' ? t.approvals.approveTitle(nameOf(action.item)) : t.approvals.rejectTitle(nameOf(action.item))) : ''}>
        {action && (
          <form class="form" onSubmit={confirm} noValidate aria-busy={busy ? 'true' : undefined}>
            <ErrorSummary problem={problem} fields={errors} labels={{ reason: t.approvals.reasonLabel, role: t.approvals.roleLabel }} />
            {action.kind === 'approve' ? (
              isOperator.value && (
                <SelectField name="role" label={t.approvals.roleLabel} required value={role} onValue={(v) => setRole(v as Role)} error={errors.role}>
                  {ROLES.map((r) => <option key={r} value={r}>{t.roles[r]}</option>)}
                </SelectField>
              )
            ) : (
              <TextAreaField name="reason" label={t.approvals.reasonLabel} hint={t.approvals.reasonHint} required value={reason} onValue={setReason}
                error={errors.reason} maxLength={500} rows={4}
                extra={<p class="hint" aria-live="polite">{t.approvals.reasonCount(reason.length)}</p>} />
            )}
            <div class="actions">
              <SubmitButton busy={busy} label={action.kind === 'approve' ? t.approvals.confirmApprove : t.approvals.confirmReject}
                busyLabel={t.approvals.working} class={action.kind === 'approve' ? 'btn btn--primary' : 'btn btn--danger'} />
              <button type="button" class="btn btn--secondary" onClick={close}>{t.common.cancel}</button>
            </div>
          </form>
        )}
      </Dialog>
    </Page>
  );
}
