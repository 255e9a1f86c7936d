import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, isApiError, type ApproveRequest, type ClaimedProfessional, type DeclaredIdentity, type Enrolment, type Role } from '../api';
import { Page } from '../components/Page';
import { Dialog } from '../components/Dialog';
import { ErrorSummary, Loading, SelectField, Status, SubmitButton, TextAreaField, fieldErrorsOf, fieldId, withoutDetail, type FieldErrors } from '../components/forms';
import { t, formatDateTime } from '../i18n';
import { isOperator } from '../state/session';

const ROLES: Role[] = ['professional', 'coordinator', 'structure_admin', 'operator'];

/** Names compared as a person reads them: case, accents, hyphens and spaces aside. */
const norm = (v: string | null | undefined) =>
  (v ?? '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLocaleLowerCase('fr-FR').replace(/[\s\-'’]+/g, ' ').trim();

type Row = { key: string; label: string; directory: string; declared: string | null; different: boolean };

/** What the applicant typed beside the directory entry they claimed; `declared` null when nothing was typed. */
function compareRows(c: ClaimedProfessional, d: DeclaredIdentity | null | undefined): Row[] {
  const profession = (code: string | null | undefined, label: string | null | undefined) =>
    (label || (code ? t.professions[code] ?? code : '')) ?? '';
  const declaredProfession = d ? profession(d.profession_code, d.profession_label) : '';
  const professionDiffers = !!declaredProfession && (d?.profession_code && c.profession_code
    ? d.profession_code !== c.profession_code
    : norm(declaredProfession) !== norm(profession(c.profession_code, c.profession_label)));
  const row = (key: string, label: string, directory: string, declared: string | null | undefined, different?: boolean): Row => ({
    key, label, directory, declared: declared === undefined ? null : declared,
    different: different ?? (!!declared && norm(declared) !== norm(directory)),
  });
  return [
    row('first_name', t.approvals.firstName, c.first_name, d ? d.first_name : null),
    row('last_name', t.approvals.lastName, c.last_name, d ? d.last_name : null),
    row('profession', t.approvals.profession, profession(c.profession_code, c.profession_label), d ? declaredProfession : null, professionDiffers),
  ];
}

/** The directory entry (civility, names, profession, specialty, RPPS) beside what the person typed; stacked on a phone. */
function Comparison({ claimed, declared }: { claimed: ClaimedProfessional; declared: DeclaredIdentity | null | undefined }) {
  const rows = compareRows(claimed, declared);
  const differences = rows.filter((r) => r.different).length;
  return (
    <div class="claim" data-testid="claim">
      <p class="compare__summary" data-testid="claim-differences">{t.approvals.differences(differences)}</p>
      <div class="compare">
        <section class="compare__col" data-testid="claim-directory">
          <h3>{t.approvals.directoryColumn}</h3>
          <dl class="props">
            <div><dt>{t.approvals.civility}</dt><dd>{claimed.civility || t.common.none}</dd></div>
            {rows.map((r) => <div key={r.key}><dt>{r.label}</dt><dd>{r.directory || t.common.none}</dd></div>)}
            <div><dt>{t.approvals.specialty}</dt><dd>{claimed.specialty || t.common.none}</dd></div>
            <div><dt>{t.approvals.rpps}</dt><dd>{claimed.rpps}</dd></div>
          </dl>
        </section>
        <section class="compare__col" data-testid="claim-declared">
          <h3>{t.approvals.declaredColumn}</h3>
          <dl class="props">
            {rows.map((r) => (
              <div key={r.key} class={r.different ? 'is-different' : undefined} data-field={r.key}>
                <dt>{r.label}</dt>
                <dd>
                  {r.declared ? r.declared : <span class="muted">{t.approvals.notTyped}</span>}
                  {r.different && <span class="badge badge--warn diff">{t.approvals.different}</span>}
                </dd>
              </div>
            ))}
          </dl>
        </section>
      </div>
    </div>
  );
}

export function Approvals() {
  const [items, setItems] = useState<Enrolment[] | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [action, setAction] = useState<{ kind: 'approve' | 'reject'; item: Enrolment } | null>(null);
  const [role, setRole] = useState<Role>('professional');
  const [link, setLink] = useState<'' | 'confirm' | 'refuse'>('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [status, setStatus] = useState<string | null>(null);

  useEffect(() => {
    api.enrolments('pending_approval').then((r) => setItems(r.items)).catch((e) => setLoadError(isApiError(e) ? e : null));
  }, []);

  const open = (kind: 'approve' | 'reject', item: Enrolment) => {
    setAction({ kind, item }); setRole('professional'); setLink(''); setReason(''); setProblem(null); setErrors({});
  };
  const close = () => { if (!busy) setAction(null); };
  const nameOf = (e: Enrolment) => `${e.first_name} ${e.last_name}`;
  const claimedName = (c: ClaimedProfessional) => [c.civility, c.first_name, c.last_name.toLocaleUpperCase('fr-FR')].filter(Boolean).join(' ');

  const confirm = async (ev: Event) => {
    ev.preventDefault();
    if (!action || busy) return;
    setProblem(null);
    const claimed = action.kind === 'approve' ? action.item.claimed_professional : null;
    if (action.kind === 'reject') {
      const r = reason.trim();
      if (!r) { setErrors({ reason: t.approvals.reasonRequired }); return; }
      if (r.length > 500) { setErrors({ reason: t.approvals.reasonTooLong }); return; }
    } else if (claimed && !link) {
      setErrors({ confirm_professional: t.approvals.linkRequired }); return;
    }
    setErrors({});
    setBusy(true);
    try {
      if (action.kind === 'approve') {
        const body: ApproveRequest = {};
        if (isOperator.value) body.role = role;
        if (claimed) body.confirm_professional = link === 'confirm';
        await api.approve(action.item.id, body);
      } else await api.reject(action.item.id, reason.trim());
      setItems((old) => (old ?? []).filter((x) => x.id !== action.item.id));
      const name = nameOf(action.item);
      setStatus(action.kind === 'reject' ? t.approvals.rejected(name)
        : !claimed ? t.approvals.approved(name)
        : link === 'confirm' ? t.approvals.approvedLinked(name) : t.approvals.approvedUnlinked(name));
      setAction(null);
    } catch (err) {
      setProblem(isApiError(err) ? err : null);
      setErrors(fieldErrorsOf(err));
    } finally { setBusy(false); }
  };

  // A 409 on the link (another active account holds the entry): its detail says what to do, beside the choice.
  const linkProblem = problem?.type === 'duplicate' && problem.fieldError('confirm_professional') && problem.detail
    ? problem.detail : null;
  const linkError = linkProblem ?? errors.confirm_professional;
  // …which the summary links to rather than repeating it (memoised: a new object would take the focus at each render).
  const summaryProblem = useMemo(() => (linkProblem && problem ? withoutDetail(problem) : problem), [problem, linkProblem]);
  const linkId = fieldId('confirm_professional');
  const claimedOf = action?.kind === 'approve' ? action.item.claimed_professional : null;

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
                  {!e.claimed_professional && (<>
                    <div><dt>{t.approvals.profession}</dt><dd>{e.profession_label}{e.profession_code ? ` (${e.profession_code})` : ''}</dd></div>
                    {e.specialty && <div><dt>{t.approvals.specialty}</dt><dd>{e.specialty}</dd></div>}
                    <div><dt>{t.approvals.rpps}</dt><dd>{e.rpps || t.common.none}</dd></div>
                  </>)}
                  <div><dt>{t.approvals.structures}</dt><dd>{e.structures?.length ? e.structures.map((s) => s.name + (s.proposed ? ` (${t.approvals.proposed})` : '')).join(', ') : t.common.none}</dd></div>
                  <div><dt>{t.approvals.requestedOn}</dt><dd>{formatDateTime(e.created_at)}</dd></div>
                </dl>
                {e.claimed_professional && (<>
                  <h3 class="claim__title">{t.approvals.claimTitle}</h3>
                  <p class="hint">{t.approvals.claimIntro}</p>
                  <Comparison claimed={e.claimed_professional} declared={e.declared} />
                </>)}
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
            <ErrorSummary problem={summaryProblem} fields={errors}
              labels={{ reason: t.approvals.reasonLabel, role: t.approvals.roleLabel, confirm_professional: t.approvals.linkLegend }} />
            {action.kind === 'approve' ? (<>
              {claimedOf && (<>
                <Comparison claimed={claimedOf} declared={action.item.declared} />
                <fieldset class={'choice choice--column link-choice' + (linkError ? ' choice--error' : '')} id={linkId} tabIndex={-1}
                  aria-describedby={[`${linkId}-hint`, linkError ? `${linkId}-error` : ''].filter(Boolean).join(' ')}>
                  <legend>{t.approvals.linkLegend}</legend>
                  <p class="hint" id={`${linkId}-hint`}>{t.approvals.linkHint(claimedName(claimedOf))}</p>
                  {linkError && <p class="field-error" id={`${linkId}-error`}>{linkError}</p>}
                  {([['confirm', t.approvals.linkConfirm], ['refuse', t.approvals.linkRefuse]] as const).map(([v, label]) => (
                    <div class="choice__item choice__item--hint" key={v}>
                      <input type="radio" id={`link-${v}`} name="confirm_professional" value={v} required checked={link === v}
                        aria-invalid={linkError ? 'true' : undefined}
                        onChange={() => { setLink(v); setErrors((o) => { const { confirm_professional: _, ...rest } = o; return rest; }); }} />
                      <label for={`link-${v}`}>{label}</label>
                    </div>
                  ))}
                </fieldset>
              </>)}
              {isOperator.value && (
                <SelectField name="role" label={t.approvals.roleLabel} required value={role} onValue={(v) => setRole(v as Role)} error={errors.role}>
                  {ROLES.map((r) => <option key={r} value={r}>{t.roles[r]}</option>)}
                </SelectField>
              )}
            </>) : (
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
