// Alerts of one patient (and the cross-patient list of the /alertes page): kind, severity, message, who
// raised it, recipients and who read it; "J'en ai pris connaissance" acknowledges; a form raises one for
// chosen members (none chosen: every active member with an account).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, isApiError, newKey, type AlertKind, type AlertSeverity, type CircleMember, type PatientAlert } from '../api';
import { ErrorSummary, Loading, SelectField, Status, SubmitButton, TextAreaField, fieldErrorsOf, type FieldErrors } from './forms';
import { ErrorNotice } from './PatientBits';
import { t, formatDateTimeShort } from '../i18n';
import { me } from '../state/session';

const KINDS: AlertKind[] = ['chute', 'aggravation', 'hospitalisation', 'visite_manquee', 'autre'];
const SEVERITIES: AlertSeverity[] = ['info', 'importante', 'urgente'];

export function AlertCard({ alert: a, onAck, showPatient = false, headingLevel = 3 }:
  { alert: PatientAlert; onAck: (a: PatientAlert) => Promise<void>; showPatient?: boolean; headingLevel?: 2 | 3 | 4 }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const H = headingLevel === 2 ? 'h2' : headingLevel === 3 ? 'h3' : 'h4';
  const kind = t.alerts.kinds[a.kind] ?? a.kind;
  const ack = async () => {
    if (busy) return;
    setBusy(true); setError(null);
    try { await onAck(a); } catch (x) { setError(x); } finally { setBusy(false); }
  };
  return (
    <article class={`alert alert--${a.severity}${a.for_me && !a.acknowledged_by_me ? ' alert--open' : ''}`} data-testid="alert">
      <header class="entry__head">
        <H class="alert__kind">{kind}</H>
        <span class={`badge badge--sev-${a.severity}`}>{t.alerts.severities[a.severity] ?? a.severity}</span>
      </header>
      {showPatient && a.patient && (
        <p class="alert__patient"><a href={`/patients/${encodeURIComponent(a.patient.id)}?onglet=alertes`}>{t.alerts.patient(a.patient.name)}</a></p>
      )}
      <p class="entry__body">{a.body}</p>
      <p class="entry__meta muted">
        {a.source === 'rule' || !a.raised_by ? t.alerts.raisedByRule(formatDateTimeShort(a.created_at))
          : t.alerts.raisedBy(a.raised_by.name, formatDateTimeShort(a.created_at))}
      </p>
      {a.recipients?.length > 0 && (
        <details class="more">
          <summary>{t.alerts.recipients} ({a.recipients.length})</summary>
          <ul class="plain recipients">
            {a.recipients.map((r) => (
              <li key={r.account_id}>{r.name} — <span class="muted">{r.acknowledged_at ? t.alerts.acknowledgedAt(formatDateTimeShort(r.acknowledged_at)) : t.alerts.notAcknowledged}</span></li>
            ))}
          </ul>
        </details>
      )}
      <ErrorNotice error={error} />
      {a.for_me && !a.acknowledged_by_me ? (
        <div class="actions">
          <button type="button" class="btn btn--primary btn--small" aria-label={t.alerts.acknowledgeNamed(kind)} aria-disabled={busy ? 'true' : undefined}
            onClick={ack}>{busy && <span class="spinner" aria-hidden="true" />}{t.alerts.acknowledge}</button>
        </div>
      ) : a.acknowledged_by_me ? <p class="muted">{t.alerts.acknowledgedByMe}</p> : null}
    </article>
  );
}

export function PatientAlerts({ patientId, members, onCountChange }:
  { patientId: string; members: CircleMember[] | null; onCountChange?: () => void }) {
  const [onlyOpen, setOnlyOpen] = useState(false);
  const [items, setItems] = useState<PatientAlert[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    api.patientAlerts(patientId, onlyOpen ? 'open' : 'all').then((r) => { if (live) { setItems(r.items); setError(null); } })
      .catch((e) => { if (live) setError(e); });
    return () => { live = false; };
  }, [patientId, onlyOpen, tick]);
  const ack = async (a: PatientAlert) => {
    const upd = await api.acknowledgeAlert(patientId, a.id);
    setItems((o) => (o ?? []).map((x) => (x.id === a.id ? { ...x, ...upd, acknowledged_by_me: true } : x)).filter((x) => !onlyOpen || x.id !== a.id));
    setMsg(t.alerts.acknowledged);
    onCountChange?.();
  };
  return (
    <div class="alerts">
      <h2>{t.alerts.title}</h2>
      <Status message={msg} />
      <RaiseAlert patientId={patientId} members={members} onRaised={() => { setMsg(t.alerts.raised); setTick((x) => x + 1); onCountChange?.(); }} />
      <h3 class="list-title">{t.alerts.listTitle}</h3>
      <div class="check">
        <input type="checkbox" id="alerts-open" checked={onlyOpen} onChange={(e) => setOnlyOpen((e.currentTarget as HTMLInputElement).checked)} />
        <label for="alerts-open">{t.alerts.onlyOpen}</label>
      </div>
      <ErrorNotice error={error} />
      {!items && !error ? <Loading /> : items && (items.length === 0 ? <p class="muted">{onlyOpen ? t.alerts.emptyOpen : t.alerts.empty}</p> : (
        <ul class="plain entries" data-testid="alerts">
          {items.map((a) => <li key={a.id}><AlertCard alert={a} onAck={ack} headingLevel={4} /></li>)}
        </ul>
      ))}
    </div>
  );
}

function RaiseAlert({ patientId, members, onRaised }: { patientId: string; members: CircleMember[] | null; onRaised: () => void }) {
  const [kind, setKind] = useState<AlertKind>('aggravation');
  const [severity, setSeverity] = useState<AlertSeverity>('importante');
  const [body, setBody] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<ApiError | null>(null);
  const key = useRef(newKey());
  // Who an alert can reach: members by account, and by directory entry or structure (colleagues are added by name,
  // through the directory: the server resolves their accounts), but not oneself.
  const mine = (m: CircleMember) => (m.account_id && m.account_id === me.value?.id) ||
    (m.professional_id && m.professional_id === me.value?.professional_id);
  const others = (members ?? []).filter((m) => m.status === 'active' && m.kind !== 'contact' && !mine(m));

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const errs: FieldErrors = {};
    if (!body.trim()) errs.alert_body = t.common.fieldRequired;
    else if (body.length > 2000) errs.alert_body = t.alerts.bodyTooLong;
    setErrors(errs); setProblem(null);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await api.raiseAlert(patientId, { kind, severity, body: body.trim(), ...(chosen.length ? { recipients: chosen } : {}) }, key.current);
      key.current = newKey(); setBody(''); setChosen([]);
      onRaised();
    } catch (x) {
      // Without network an alert is not kept for later (unlike a notebook entry): it must not wait unseen on a
      // phone. The author is told it did not leave; sending again reuses the same key, so it is never sent twice.
      setProblem(isApiError(x, 'network') ? new ApiError({ ...x, detail: t.alerts.notSentOffline }) : isApiError(x) ? x : null);
      const fe = fieldErrorsOf(x);
      if (fe.body) { fe.alert_body = fe.body; delete fe.body; }
      setErrors(fe);
    } finally { setBusy(false); }
  };

  if (members && others.length === 0) {
    return (
      <section class="card" aria-labelledby="raise-title">
        <h3 id="raise-title" class="card__title">{t.alerts.raiseTitle}</h3>
        <p class="muted">{t.alerts.noRecipients}</p>
      </section>
    );
  }
  return (
    <section class="card" aria-labelledby="raise-title">
      <h3 id="raise-title" class="card__title">{t.alerts.raiseTitle}</h3>
      <ErrorSummary problem={problem} fields={errors} labels={{ alert_body: t.alerts.body, kind: t.alerts.kind, recipients: t.alerts.recipientsLegend }} />
      <form class="form" onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        <div class="grid-2">
          <SelectField name="alert_kind" label={t.alerts.kind} required value={kind} onValue={(v) => setKind(v as AlertKind)} error={errors.kind}>
            {KINDS.map((k) => <option key={k} value={k}>{t.alerts.kinds[k]}</option>)}
          </SelectField>
          <fieldset class="choice">
            <legend>{t.alerts.severity}</legend>
            {SEVERITIES.map((s) => (
              <div class="choice__item" key={s}>
                <input type="radio" id={`sev-${s}`} name="severity" value={s} checked={severity === s} onChange={() => setSeverity(s)} />
                <label for={`sev-${s}`}>{t.alerts.severities[s]}</label>
              </div>
            ))}
          </fieldset>
        </div>
        <TextAreaField name="alert_body" label={t.alerts.body} hint={t.alerts.bodyHint} required value={body} onValue={setBody}
          error={errors.alert_body} rows={3} maxLength={2000} />
        <fieldset class="choice choice--column">
          <legend>{t.alerts.recipientsLegend}</legend>
          <p class="hint">{t.alerts.recipientsHint}</p>
          {errors.recipients && <p class="field-error">{errors.recipients}</p>}
          {others.map((m) => (
            <div class="choice__item" key={m.id}>
              <input type="checkbox" id={`rcpt-${m.id}`} checked={chosen.includes(m.id)}
                onChange={(e) => { const on = (e.currentTarget as HTMLInputElement).checked; setChosen((o) => (on ? [...o, m.id] : o.filter((x) => x !== m.id))); }} />
              <label for={`rcpt-${m.id}`}>{m.display_name} ({t.circle.roles[m.role] ?? m.role})</label>
            </div>
          ))}
        </fieldset>
        <div class="actions"><SubmitButton busy={busy} label={t.alerts.raise} busyLabel={t.alerts.raising} /></div>
      </form>
    </section>
  );
}
