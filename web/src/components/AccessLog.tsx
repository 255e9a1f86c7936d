// Who accessed the record: newest first, with the actor, the action, on what ground (member, break-the-glass,
// operator) and the break-the-glass reason. Shown only to those the server lets read it.
import { useState } from 'preact/hooks';
import { api, type AccessLogPage } from '../api';
import { ErrorNotice, MoreButton } from './PatientBits';
import { t, formatDateTimeShort } from '../i18n';

/** "notebook.read" → "Consultation du cahier de liaison"; "patient.break_glass" → "Accès en urgence". */
export function actionText(action: string): string {
  const parts = (action ?? '').split('.');
  const last = parts[parts.length - 1];
  if (t.accessLog.special[last]) return t.accessLog.special[last];
  const domain = parts.length > 1 ? t.accessLog.domains[parts[parts.length - 2]] : undefined;
  const verb = t.accessLog.verbs[last];
  if (verb && domain) return `${verb} ${domain}`;
  return verb ?? action;
}

export function AccessLog({ patientId, first }: { patientId: string; first: AccessLogPage }) {
  const [items, setItems] = useState(first.items);
  const [before, setBefore] = useState(first.next_before);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const loadMore = async () => {
    if (before === null || before === undefined) return;
    setMore(true);
    try {
      const r = await api.accessLog(patientId, before);
      setItems((o) => [...o, ...r.items.filter((x) => !o.some((y) => y.seq === x.seq))]);
      setBefore(r.next_before);
    } catch (e) { setError(e); } finally { setMore(false); }
  };
  return (
    <div class="access-log">
      <h2>{t.accessLog.title}</h2>
      <p class="muted">{t.accessLog.intro}</p>
      <ErrorNotice error={error} />
      {items.length === 0 ? <p class="muted">{t.accessLog.empty}</p> : (
        <ol class="events" data-testid="access-log">
          {items.map((a) => (
            <li key={a.seq} class={`event access access--${a.via ?? 'none'}`} data-testid="access">
              <p class="event__head">
                <time dateTime={a.at}>{formatDateTimeShort(a.at)}</time>
                {a.via && <span class={a.via === 'break_glass' ? 'badge badge--warn' : 'badge badge--muted'}>{t.accessLog.via[a.via] ?? a.via}</span>}
                {a.outcome && a.outcome !== 'success' && <span class="outcome outcome--denied">{t.accessLog.outcomes[a.outcome] ?? a.outcome}</span>}
              </p>
              <p class="event__summary">
                <strong>{a.actor?.name || t.accessLog.unknownActor}</strong>
                {a.actor?.profession && <span class="muted"> ({a.actor.profession})</span>}
                {' — '}<span title={a.action}>{actionText(a.action)}</span>
              </p>
              {a.reason && <p class="access__reason">{t.accessLog.cols.reason} : {a.reason}</p>}
            </li>
          ))}
        </ol>
      )}
      {before !== null && before !== undefined && <MoreButton busy={more} onClick={loadMore} label={t.accessLog.loadMore} />}
    </div>
  );
}
