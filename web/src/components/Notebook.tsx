// The liaison notebook of a patient: entries newest fact first (kind, author, fact time, visibility, vitals,
// attachments, older versions struck through), a form to write one (with files uploaded first, with
// progress), and "Corriger" on one's own entries (If-Match: the version being corrected; 409 → current).
// Written without network, a new entry waits on the device (offline/outbox) and is listed as waiting.
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  api, isApiError, newKey, type ApiError, type Attachment, type EntryKind, type NotebookEntry, type NotebookInput, type VitalKey,
  type Visibility, type VitalFlags, type Vitals,
} from '../api';
import { ErrorSummary, Loading, SelectField, Status, SubmitButton, TextAreaField, TextField, fieldErrorsOf, fieldId, type FieldErrors } from './forms';
import { ErrorNotice, MoreButton, VisibilityBadge } from './PatientBits';
import { t, formatDateTimeShort } from '../i18n';
import { me } from '../state/session';
import { pending, delivered, queueEntry, discard, flush, type PendingEntry } from '../offline/outbox';
import { online } from '../state/online';

const KINDS: EntryKind[] = ['observation', 'transmission', 'visit', 'event', 'document'];
const VISIBILITIES: Visibility[] = ['circle', 'health', 'structure'];
const VITALS: { key: VitalKey; min: number; max: number }[] = [
  { key: 'systolic', min: 40, max: 300 }, { key: 'diastolic', min: 20, max: 200 }, { key: 'heart_rate', min: 20, max: 250 },
  { key: 'temperature', min: 30, max: 45 }, { key: 'spo2', min: 50, max: 100 }, { key: 'weight', min: 0.3, max: 400 },
  { key: 'glycemia', min: 0.2, max: 6 }, { key: 'pain', min: 0, max: 10 },
];
const MAX_FILE = 10 * 1024 * 1024;
const num = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 });

// A value outside the usual range says so in words, not by colour alone (the flag is the server's).
function VitalsList({ vitals, flags }: { vitals: Vitals | null | undefined; flags?: VitalFlags }) {
  const rows = VITALS.filter((v) => typeof vitals?.[v.key] === 'number');
  if (!rows.length) return null;
  return (
    <ul class="vitals" aria-label={t.notebook.vitals}>
      {rows.map((v) => {
        const flag = flags?.[v.key];
        return (
          <li key={v.key} class={flag ? `vital--${flag}` : undefined} data-flag={flag}>
            {t.notebook.vitalValue(t.notebook.vitalLabels[v.key], num.format(vitals![v.key]!), t.notebook.vitalUnits[v.key])}
            {flag && <span class={`vital-flag vital-flag--${flag}`}>{t.vitalsCharts.flag[flag]}</span>}
          </li>
        );
      })}
    </ul>
  );
}

function EntryView({ patientId, entry: given, onCorrected, readOnly = false }:
  { patientId: string; entry: NotebookEntry; onCorrected: () => void; readOnly?: boolean }) {
  const [correcting, setCorrecting] = useState(false);
  // The entry shown: the one listed, or the current version the server sent back with a 409.
  const [base, setBase] = useState(given);
  const [msg, setMsg] = useState<string | null>(null);
  const btnRef = useRef<HTMLButtonElement>(null);
  useEffect(() => setBase(given), [given]);
  const entry = base;
  // A correction needs the current version from the server (If-Match): never from the offline copy.
  const mine = !readOnly && !!me.value && entry.author?.account_id === me.value.id;
  const author = [entry.author?.name, entry.author?.profession, entry.author?.structure_name].filter(Boolean).join(', ');
  const titleId = `entry-${entry.id}-title`;
  return (
    <article class={`entry entry--${entry.visibility}`} aria-labelledby={titleId} data-testid="entry" data-entry-id={entry.id}>
      <header class="entry__head">
        <h4 id={titleId} class="entry__kind">{t.notebook.kinds[entry.kind] ?? entry.kind}</h4>
        <VisibilityBadge v={entry.visibility} />
        {entry.version > 1 && <span class="badge badge--muted">{t.notebook.corrected(entry.version)}</span>}
      </header>
      <p class="entry__meta">
        {author && <span>{t.notebook.by(author)}</span>}
        <span><time dateTime={entry.fact_at}>{t.notebook.factAt(formatDateTimeShort(entry.fact_at))}</time></span>
        {entry.written_at && entry.written_at !== entry.fact_at && (
          <span class="muted"><time dateTime={entry.written_at}>{t.notebook.writtenAt(formatDateTimeShort(entry.written_at))}</time></span>
        )}
      </p>
      <p class="entry__body" data-testid="entry-body">{entry.body}</p>
      <VitalsList vitals={entry.vitals} flags={entry.vitals_flags} />
      {entry.attachments?.length > 0 && (
        <div class="entry__files">
          <p class="entry__label">{t.notebook.attachments}</p>
          <ul class="plain">
            {entry.attachments.map((a) => (
              <li key={a.id}><a href={api.attachmentUrl(patientId, a.id)} download={a.name}>{t.notebook.download(a.name, t.notebook.size(a.size))}</a></li>
            ))}
          </ul>
        </div>
      )}
      {entry.previous?.length > 0 && (
        <div class="entry__previous">
          <p class="entry__label">{t.notebook.previous}</p>
          <ul class="plain">
            {[...entry.previous].sort((a, b) => b.version - a.version).map((v) => (
              <li key={v.id}>
                <span class="muted">{t.notebook.previousVersion(v.version, formatDateTimeShort(v.written_at))}</span>{' '}
                <del>{v.body}</del>
              </li>
            ))}
          </ul>
        </div>
      )}
      <Status message={msg} tone="info" />
      {mine && !correcting && (
        <div class="actions">
          <button type="button" class="btn btn--ghost btn--small" ref={btnRef} onClick={() => { setMsg(null); setCorrecting(true); }}>
            {t.notebook.correct}
          </button>
        </div>
      )}
      {mine && correcting && (
        <div class="entry__correct">
          <h5 class="entry__label">{t.notebook.correctTitle}</h5>
          <p class="hint">{t.notebook.correctIntro}</p>
          <EntryForm patientId={patientId} correcting={base} idPrefix={`c-${entry.id}`}
            onConflict={(current) => { if (current) setBase(current); setMsg(t.notebook.conflict); }}
            onCancel={() => { setCorrecting(false); setTimeout(() => btnRef.current?.focus(), 0); }}
            onDone={() => { setCorrecting(false); onCorrected(); }} />
        </div>
      )}
    </article>
  );
}

interface Upload { key: string; name: string; size: number; sent: number; state: 'sending' | 'done' | 'failed'; att?: Attachment; error?: string }

function EntryForm({ patientId, correcting, idPrefix, onDone, onCancel, onConflict, health = true }: {
  patientId: string; correcting?: NotebookEntry; idPrefix: string; onDone: (e: NotebookEntry | null) => void; onCancel?: () => void;
  onConflict?: (current: NotebookEntry | null) => void; health?: boolean;
}) {
  const structures = me.value?.structures ?? [];
  // "Professionnels de santé" only for those who may read it back; "Ma structure" only with a structure.
  const choices = VISIBILITIES.filter((v) => (v !== 'health' || health || correcting?.visibility === 'health')
    && (v !== 'structure' || structures.length > 0 || correcting?.visibility === 'structure'));
  const [kind, setKind] = useState<EntryKind>(correcting?.kind ?? 'observation');
  const [visibility, setVisibility] = useState<Visibility>(correcting?.visibility ?? 'circle');
  const [structureId, setStructureId] = useState(correcting?.author?.structure_id ?? structures[0]?.id ?? '');
  const [body, setBody] = useState(correcting?.body ?? '');
  const [factAt, setFactAt] = useState('');
  const [vitals, setVitals] = useState<Record<string, string>>(() =>
    Object.fromEntries(VITALS.map((v) => [v.key, typeof correcting?.vitals?.[v.key] === 'number' ? num.format(correcting.vitals[v.key]!) : ''])));
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const [key, setKey] = useState(newKey);
  const fileRef = useRef<HTMLInputElement>(null);
  const n = (name: string) => `${idPrefix}-${name}`;

  const addFiles = (files: FileList | null) => {
    if (!files) return;
    for (const file of Array.from(files)) {
      const u: Upload = { key: newKey(), name: file.name, size: file.size, sent: 0, state: 'sending' };
      if (file.size > MAX_FILE) { setUploads((o) => [...o, { ...u, state: 'failed', error: t.notebook.tooBig(file.name) }]); continue; }
      setUploads((o) => [...o, u]);
      const patch = (p: Partial<Upload>) => setUploads((o) => o.map((x) => (x.key === u.key ? { ...x, ...p } : x)));
      api.uploadAttachment(patientId, file, (sent) => patch({ sent }))
        .then((att) => { patch({ state: 'done', att, sent: file.size }); setMsg(t.notebook.uploaded(file.name)); })
        .catch((e) => patch({ state: 'failed', error: t.notebook.uploadFailed(file.name, isApiError(e) ? [e.title, ...e.errors.map((x) => x.message)].join(' — ') : t.problems.unknown) }));
    }
    if (fileRef.current) fileRef.current.value = '';
  };

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    const errs: FieldErrors = {};
    if (!body.trim()) errs.body = t.common.fieldRequired;
    else if (body.length > 20000) errs.body = t.notebook.bodyTooLong;
    const v: Vitals = {};
    for (const s of VITALS) {
      const raw = (vitals[s.key] ?? '').trim().replace(',', '.');
      if (!raw) continue;
      const x = Number(raw);
      if (!Number.isFinite(x) || x < s.min || x > s.max) errs[`vitals.${s.key}`] = t.notebook.vitalInvalid(s.min, s.max);
      else v[s.key] = x;
    }
    if (uploads.some((u) => u.state === 'sending')) errs.attachments = t.notebook.waitUploads;
    setErrors(errs); setProblem(null); setMsg(null);
    if (Object.keys(errs).length) return;
    const input: NotebookInput = {
      kind, visibility, body,
      ...(Object.keys(v).length ? { vitals: v } : {}),
      ...(factAt && !Number.isNaN(new Date(factAt).getTime()) ? { fact_at: new Date(factAt).toISOString() } : {}),
      ...(uploads.some((u) => u.att) ? { attachments: uploads.filter((u) => u.att).map((u) => u.att!.id) } : {}),
      ...(visibility === 'structure' && structureId ? { structure_id: structureId } : {}),
    };
    const cleared = (message: string) => {
      setBody(''); setFactAt(''); setUploads([]); setKey(newKey());
      setVitals(Object.fromEntries(VITALS.map((s) => [s.key, ''])));
      setMsg(message);
    };
    setBusy(true);
    try {
      const e = correcting ? await api.correctEntry(patientId, correcting, input) : await api.writeEntry(patientId, input, key);
      cleared(correcting ? t.notebook.corrected_ : t.notebook.written);
      onDone(e);
    } catch (x) {
      // No network: a new entry waits on the device with its key (a correction needs the current version: not queued).
      if (!correcting && isApiError(x, 'network') && await queueEntry(patientId, input, key).then(() => true, () => false)) {
        cleared(t.outbox.queued);
        onDone(null);
      } else if (correcting && isApiError(x, 'conflict')) {
        const cur = x.current && typeof x.current === 'object' && 'id' in (x.current as object) ? (x.current as NotebookEntry) : null;
        onConflict?.(cur);
      } else { setProblem(isApiError(x) ? x : null); setErrors(fieldErrorsOf(x)); }
    } finally { setBusy(false); }
  };

  const labels: Record<string, string> = { body: t.notebook.body, kind: t.notebook.kind, visibility: t.notebook.visibility, attachments: t.notebook.files };
  for (const s of VITALS) labels[`vitals.${s.key}`] = t.notebook.vitalLabels[s.key];
  const fieldName = (k: string) => (k === 'body' || k === 'kind' || k === 'attachments' || k.startsWith('vitals.') ? n(k) : k);
  const shownErrors = Object.fromEntries(Object.entries(errors).map(([k, v]) => [fieldName(k), v]));
  const shownLabels = Object.fromEntries(Object.entries(labels).map(([k, v]) => [fieldName(k), v]));

  return (
    <form class="form entry-form" onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
      <ErrorSummary problem={problem} fields={shownErrors} labels={shownLabels} />
      <div class="grid-2">
        <SelectField name={n('kind')} label={t.notebook.kind} required value={kind} onValue={(x) => setKind(x as EntryKind)} error={errors.kind}>
          {KINDS.map((k) => <option key={k} value={k}>{t.notebook.kinds[k]}</option>)}
        </SelectField>
        <TextField name={n('fact_at')} label={t.notebook.factAtLabel} hint={t.notebook.factAtHint} type="datetime-local" value={factAt}
          onValue={setFactAt} error={errors.fact_at} />
      </div>
      <fieldset class="choice choice--column" id={fieldId(n('visibility'))}>
        <legend>{t.notebook.visibility}</legend>
        {errors.visibility && <p class="field-error">{errors.visibility}</p>}
        {choices.map((vis) => (
          <div class="choice__item choice__item--hint" key={vis}>
            <input type="radio" id={`${n('vis')}-${vis}`} name={n('visibility')} value={vis} checked={visibility === vis}
              aria-describedby={`${n('vis')}-${vis}-hint`} onChange={() => setVisibility(vis)} />
            <div>
              <label for={`${n('vis')}-${vis}`}>{t.visibility[vis]}</label>
              <p class="hint choice__hint" id={`${n('vis')}-${vis}-hint`}>{t.visibilityHelp[vis]}</p>
            </div>
          </div>
        ))}
      </fieldset>
      {visibility === 'structure' && structures.length > 1 && (
        <SelectField name={n('structure')} label={t.notebook.structure} required value={structureId} onValue={setStructureId} error={errors.structure_id}>
          {structures.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </SelectField>
      )}
      <TextAreaField name={n('body')} label={t.notebook.body} hint={t.notebook.bodyHint} required value={body} onValue={setBody}
        error={errors.body} rows={5} maxLength={20000} />
      <details class="more" open={VITALS.some((s) => vitals[s.key])}>
        <summary>{t.notebook.vitals} ({t.common.optional})</summary>
        <p class="hint">{t.notebook.vitalsHint}</p>
        <div class="grid-2 vitals-grid">
          {VITALS.map((s) => (
            <TextField key={s.key} name={n(`vitals.${s.key}`)} label={`${t.notebook.vitalLabels[s.key]} (${t.notebook.vitalUnits[s.key]})`}
              optionalMark={false} inputMode="decimal" autocomplete="off" value={vitals[s.key] ?? ''} error={errors[`vitals.${s.key}`]}
              onValue={(x) => setVitals((o) => ({ ...o, [s.key]: x }))} maxLength={6} />
          ))}
        </div>
      </details>
      <div class={'field' + (errors.attachments ? ' field--error' : '')}>
        <label for={fieldId(n('attachments'))}>{t.notebook.files}<span class="opt"> ({t.common.optional})</span></label>
        <p class="hint" id={`${fieldId(n('attachments'))}-hint`}>{t.notebook.filesHint}</p>
        {errors.attachments && <p class="field-error" id={`${fieldId(n('attachments'))}-error`}>{errors.attachments}</p>}
        <input type="file" id={fieldId(n('attachments'))} ref={fileRef} multiple accept=".pdf,.png,.jpg,.jpeg,.txt,application/pdf,image/png,image/jpeg,text/plain"
          aria-describedby={`${fieldId(n('attachments'))}-hint${errors.attachments ? ` ${fieldId(n('attachments'))}-error` : ''}`}
          onChange={(e) => addFiles((e.currentTarget as HTMLInputElement).files)} />
        {uploads.length > 0 && (
          <ul class="uploads plain" data-testid="uploads">
            {uploads.map((u) => {
              const pct = u.size ? Math.min(100, Math.round((u.sent / u.size) * 100)) : 100;
              return (
                <li key={u.key} class={`upload upload--${u.state}`}>
                  {u.state === 'sending' && (<>
                    <label for={`up-${u.key}`}>{t.notebook.uploading(u.name, pct)}</label>
                    <progress id={`up-${u.key}`} max={100} value={pct} />
                  </>)}
                  {u.state === 'done' && <span>{t.notebook.uploaded(u.name)} ({t.notebook.size(u.size)})</span>}
                  {u.state === 'failed' && <span class="field-error">{u.error}</span>}
                  {u.state !== 'sending' && (
                    <button type="button" class="btn btn--ghost btn--small" aria-label={t.notebook.removeFile(u.name)}
                      onClick={() => setUploads((o) => o.filter((x) => x.key !== u.key))}>{t.notebook.removeFileShort}</button>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </div>
      <div class="actions">
        <SubmitButton busy={busy} label={correcting ? t.notebook.correctSubmit : t.notebook.submit} busyLabel={t.notebook.submitting} />
        {onCancel && <button type="button" class="btn btn--ghost" onClick={onCancel}>{t.common.cancel}</button>}
      </div>
      <Status message={msg} />
    </form>
  );
}

/** An entry written without network, waiting on this device (or refused by the server once sent). */
function PendingView({ entry }: { entry: PendingEntry }) {
  const when = formatDateTimeShort(entry.input.fact_at ?? entry.queued_at);
  const titleId = `pending-${entry.key}-title`;
  const kind = entry.input.kind ?? 'observation', visibility = entry.input.visibility ?? 'circle';
  return (
    <article class="entry entry--pending" aria-labelledby={titleId} data-testid="pending-entry">
      <header class="entry__head">
        <h4 id={titleId} class="entry__kind">{t.notebook.kinds[kind] ?? kind}</h4>
        <VisibilityBadge v={visibility} />
        <span class="badge badge--warn">{t.outbox.waiting}</span>
      </header>
      <p class="entry__meta"><time dateTime={entry.input.fact_at ?? entry.queued_at}>{t.notebook.factAt(when)}</time></p>
      <p class="entry__body">{entry.input.body}</p>
      <VitalsList vitals={entry.input.vitals} />
      {entry.refused ? <p class="field-error">{entry.conflict ? t.outbox.conflict(entry.refused) : t.outbox.refused(entry.refused)}</p>
        : <p class="hint">{t.outbox.waitingHint}</p>}
      <div class="actions">
        {!entry.refused && online.value && (
          <button type="button" class="btn btn--ghost btn--small" onClick={() => { void flush(); }}>{t.outbox.sendNow}</button>
        )}
        <button type="button" class="btn btn--ghost btn--small" aria-label={t.outbox.discardNamed(when)}
          onClick={() => { if (window.confirm(t.outbox.discardConfirm)) void discard(entry.key); }}>{t.outbox.discard}</button>
      </div>
    </article>
  );
}

/** `stored`: the entries of the offline store (offline/sync.ts), shown instead of the server's when there is no network. */
export function Notebook({ patientId, health = true, stored }: { patientId: string; health?: boolean; stored?: NotebookEntry[] }) {
  const [kind, setKind] = useState<EntryKind | ''>('');
  const [items, setItems] = useState<NotebookEntry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [more, setMore] = useState(false);
  const [tick, setTick] = useState(0);
  const [writing, setWriting] = useState(false);
  useEffect(() => {
    if (stored) {
      setItems(stored.filter((e) => !kind || e.kind === kind).sort((a, b) => b.fact_at.localeCompare(a.fact_at)));
      return;
    }
    let live = true;
    api.notebook(patientId, { kind }).then((r) => { if (live) { setItems(r.items); setNext(r.next_cursor ?? null); setError(null); } })
      .catch((e) => { if (live) setError(e); });
    return () => { live = false; };
  }, [patientId, kind, tick, delivered.value, stored]);
  const waiting = pending.value.filter((e) => e.patient === patientId);
  const loadMore = async () => {
    if (!next) return;
    setMore(true);
    try {
      const r = await api.notebook(patientId, { kind, cursor: next });
      setItems((o) => [...(o ?? []), ...r.items.filter((x) => !(o ?? []).some((y) => y.id === x.id))]);
      setNext(r.next_cursor ?? null);
    } catch (e) { setError(e); } finally { setMore(false); }
  };
  const reload = () => setTick((x) => x + 1);
  return (
    <div class="notebook">
      <h2>{t.notebook.title}</h2>
      <section class="card" aria-labelledby="write-title">
        <div class="card__head">
          <h3 id="write-title" class="card__title">{t.notebook.writeTitle}</h3>
          <button type="button" class={writing ? 'btn btn--ghost btn--small' : 'btn btn--primary'} aria-expanded={writing ? 'true' : 'false'}
            aria-controls="write-form" onClick={() => setWriting((w) => !w)}>{writing ? t.notebook.writeClose : t.notebook.writeOpen}</button>
        </div>
        <div id="write-form" hidden={!writing}>
          {writing && <EntryForm patientId={patientId} idPrefix="nb" onDone={reload} health={health} />}
        </div>
      </section>
      {waiting.length > 0 && (
        <section aria-labelledby="pending-title">
          <h3 id="pending-title" class="list-title">{t.outbox.title}</h3>
          <ul class="entries plain" data-testid="pending-entries">
            {waiting.map((e) => <li key={e.key}><PendingView entry={e} /></li>)}
          </ul>
        </section>
      )}
      <h3 class="list-title">{t.notebook.entries}</h3>
      <div class="list-head">
        <SelectField name="nb-filter" label={t.notebook.filterKind} value={kind} optionalMark={false} onValue={(v) => setKind(v as EntryKind | '')}>
          <option value="">{t.notebook.allKinds}</option>
          {KINDS.map((k) => <option key={k} value={k}>{t.notebook.kinds[k]}</option>)}
        </SelectField>
        <p class="count" role="status">{items ? t.notebook.count(items.length) : ''}</p>
      </div>
      <ErrorNotice error={error} />
      {!items && !error ? <Loading /> : items && (items.length === 0 ? <p class="muted">{t.notebook.empty}</p> : (
        <ul class="entries plain" data-testid="entries">
          {items.map((e) => <li key={e.id}><EntryView patientId={patientId} entry={e} onCorrected={reload} readOnly={!!stored} /></li>)}
        </ul>
      ))}
      {next && <MoreButton busy={more} onClick={loadMore} label={t.notebook.loadMore} />}
    </div>
  );
}
