// The timeline of a patient, newest first, filtered by kind, with "Voir plus" by cursor. Reading it marks
// the patient read for me (the server does it).
import { useEffect, useState } from 'preact/hooks';
import { api, type TimelineItem, type TimelineKind } from '../api';
import { Loading, SelectField } from './forms';
import { ErrorNotice, MoreButton, VisibilityBadge } from './PatientBits';
import { t, formatDateTimeShort } from '../i18n';

const KINDS: TimelineKind[] = ['notebook', 'alert', 'circle', 'identity', 'access'];

const str = (x: unknown) => (typeof x === 'string' ? x : typeof x === 'number' ? String(x) : '');

/** One event in plain words from its kind, action and structured summary (a string summary is shown as is). */
export function eventText(e: TimelineItem): { text: string; detail: string | null } {
  const s = e.summary;
  if (typeof s === 'string') return { text: s || e.action, detail: null };
  const o = (s ?? {}) as Record<string, unknown>;
  const tl = t.timeline;
  switch (e.kind) {
    case 'notebook': {
      const kind = t.notebook.kinds[str(o.entry_kind)] ?? str(o.entry_kind);
      const v = typeof o.version === 'number' ? o.version : null;
      const text = e.action === 'correct' || (v !== null && v > 1) ? tl.notebook.correct(kind, v) : tl.notebook.create(kind);
      const detail = [str(o.excerpt) ? tl.excerpt(str(o.excerpt)) : '', o.has_vitals ? tl.withVitals : ''].filter(Boolean).join(' · ');
      return { text, detail: detail || null };
    }
    case 'alert': {
      const kind = t.alerts.kinds[str(o.kind)] ?? str(o.kind);
      const sev = t.alerts.severities[str(o.severity)] ?? str(o.severity);
      const text = e.action === 'raise' ? tl.alert.raise(kind, sev) : e.action === 'ack' || e.action === 'acknowledge' ? tl.alert.ack(kind) : `${e.action} : ${kind}`;
      return { text, detail: str(o.excerpt) || str(o.body) || null };
    }
    case 'circle': {
      const who = str(o.member) || str(o.name);
      const role = t.circle.roles[str(o.role)] ?? str(o.role);
      const f = tl.circle[e.action];
      const text = f ? f(who, role) : `${e.action} : ${who}`;
      return { text: o.referent === true && e.action === 'add' ? `${text}, ${tl.referent}` : text, detail: str(o.reason) || null };
    }
    case 'identity': {
      const arg = e.action === 'create' ? (t.identity.status[str(o.identity_status)] ?? str(o.identity_status))
        : e.action === 'validate' ? (t.identity.documents[str(o.document)] ?? str(o.document))
        : e.action === 'qualify' ? str(o.oid_kind) : '';
      const f = tl.identity[e.action];
      return { text: f ? f(arg) : e.action, detail: null };
    }
    case 'access': {
      const text = /break/.test(e.action) ? tl.breakGlass : e.action;
      return { text, detail: str(o.reason) ? tl.reason(str(o.reason)) : null };
    }
    default: {
      const vals = Object.values(o).map(str).filter(Boolean).join(' · ');
      return { text: e.action, detail: vals || null };
    }
  }
}

export function Timeline({ patientId }: { patientId: string }) {
  const [kind, setKind] = useState<TimelineKind | ''>('');
  const [items, setItems] = useState<TimelineItem[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [more, setMore] = useState(false);
  useEffect(() => {
    let live = true;
    setItems(null);
    api.timeline(patientId, { kind }).then((r) => { if (live) { setItems(r.items); setNext(r.next_cursor ?? null); setError(null); } })
      .catch((e) => { if (live) setError(e); });
    return () => { live = false; };
  }, [patientId, kind]);
  const loadMore = async () => {
    if (!next) return;
    setMore(true);
    try {
      const r = await api.timeline(patientId, { kind, cursor: next });
      setItems((o) => [...(o ?? []), ...r.items.filter((x) => !(o ?? []).some((y) => y.id === x.id))]);
      setNext(r.next_cursor ?? null);
    } catch (e) { setError(e); } finally { setMore(false); }
  };
  return (
    <div class="timeline">
      <h2>{t.timeline.title}</h2>
      <SelectField name="tl-kind" label={t.timeline.filter} value={kind} optionalMark={false} onValue={(v) => setKind(v as TimelineKind | '')}>
        <option value="">{t.timeline.all}</option>
        {KINDS.map((k) => <option key={k} value={k}>{t.timeline.kinds[k]}</option>)}
      </SelectField>
      <ErrorNotice error={error} />
      {!items && !error ? <Loading /> : items && (items.length === 0 ? <p class="muted">{t.timeline.empty}</p> : (
        <ol class="events" data-testid="timeline">
          {items.map((e) => {
            const x = eventText(e);
            return (
              <li key={e.id} class={`event event--${e.kind}`} data-testid="event">
                <p class="event__head">
                  <time dateTime={e.at}>{formatDateTimeShort(e.at)}</time>
                  <span class="badge badge--muted">{t.timeline.kinds[e.kind] ?? e.kind}</span>
                  <VisibilityBadge v={e.visibility} />
                </p>
                <p class="event__summary">{x.text}</p>
                {x.detail && <p class="event__detail">{x.detail}</p>}
                {e.author?.name && <p class="muted event__by">{t.timeline.by(e.author.name)}</p>}
              </li>
            );
          })}
        </ol>
      ))}
      {next && <MoreButton busy={more} onClick={loadMore} label={t.timeline.loadMore} />}
    </div>
  );
}
