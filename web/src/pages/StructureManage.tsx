// /annuaire/structures/:id/gestion — for the structure's administrators and operators: places available per
// activity in two taps (a −/+ stepper and one "Enregistrer" per activity), the other capacities, the history
// of updates, and a form to add an activity.
import { useEffect, useState } from 'preact/hooks';
import {
  api, ApiError, isApiError, type CapacityHistory, type CapacityType, type CapacityUnit, type DirActivity, type DirCapacity,
  type DirStructure,
} from '../api';
import { Page } from '../components/Page';
import {
  ErrorSummary, Loading, SelectField, Status, SubmitButton, TextField, fieldErrorsOf, fieldId, type FieldErrors,
} from '../components/forms';
import { LoadError, freshnessText, useRecord } from '../components/directory';
import { t, formatDateTime } from '../i18n';
import { canManageStructure, me } from '../state/session';

const TYPES: CapacityType[] = ['disponible', 'installee', 'occupee', 'reservee', 'fermee', 'supplementaire'];
const UNITS: CapacityUnit[] = ['places', 'lits'];

function Refused({ id }: { id: string }) {
  return (
    <Page title={t.manage.titleShort}>
      <p class="notice notice--error" data-testid="refused">{t.manage.refused}</p>
      <p><a href={`/annuaire/structures/${encodeURIComponent(id)}`}>{t.manage.backToStructure}</a></p>
    </Page>
  );
}

export function StructureManage({ params = [] }: { params?: string[] }) {
  const id = params[0];
  if (!canManageStructure(id)) return <Refused id={id} />;
  return <Manage id={id} />;
}

function Manage({ id }: { id: string }) {
  const { data: s, setData, error, loadedAt } = useRecord(() => api.directoryStructure(id), [id]);
  if (error) return error.status === 403 ? <Refused id={id} /> : <Page title={t.manage.titleShort}><LoadError error={error} /></Page>;
  if (!s) return <Page title={t.manage.titleShort}><Loading /></Page>;
  const onSaved = (activityId: string, cap: DirCapacity) => setData((old: DirStructure | null) => old && ({
    ...old,
    activities: old.activities.map((a) => a.id !== activityId ? a
      : { ...a, capacities: [...a.capacities.filter((c) => c.type !== cap.type), cap] }),
  }));
  const onAdded = (a: DirActivity) => setData((old: DirStructure | null) => old && ({
    ...old, activities: [...old.activities, { ...a, capacities: a.capacities ?? [] }],
  }));
  return (
    <Page title={t.manage.title(s.name)} intro={t.manage.intro}>
      <p class="back"><a href={`/annuaire/structures/${encodeURIComponent(id)}`}>{t.manage.backToStructure}</a></p>
      {!s.activities.length && <p class="muted">{t.manage.noActivities}</p>}
      <ul class="cards">
        {s.activities.map((a) => (
          <li key={a.id}><ActivityEditor structureId={id} activity={a} loadedAt={loadedAt} onSaved={onSaved} /></li>
        ))}
      </ul>
      <AddActivity structureId={id} onAdded={onAdded} />
    </Page>
  );
}

/** Who made a change: the name the server gives (`by_name`); else `by`, an account id (or a word such as "demo"
 * or "import"): "vous" for oneself, else a neutral word. */
function byText(by: string | null, name?: string | null): string {
  if (name) return name;
  if (!by) return t.common.none;
  if (by === me.value?.id) return t.manage.byYou;
  return /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(by) ? t.manage.byOther : by;
}

/** PUT answers with no name: the account that just saved is the signed-in one. */
function withOwnName(c: DirCapacity): DirCapacity {
  const user = me.value;
  if (c.updated_by_name || !user || c.updated_by !== user.id) return c;
  return { ...c, updated_by_name: [user.first_name, user.last_name].filter(Boolean).join(' ') || null };
}

function problemText(e: unknown): string {
  if (isApiError(e)) return [e.title, e.detail, ...e.errors.map((x) => x.message)].filter(Boolean).join(' — ');
  return t.problems.unknown;
}

function ActivityEditor({ structureId, activity, loadedAt, onSaved }:
  { structureId: string; activity: DirActivity; loadedAt: number; onSaved: (activityId: string, c: DirCapacity) => void }) {
  const avail = activity.capacities.find((c) => c.type === 'disponible');
  const unit: CapacityUnit = avail?.unit ?? activity.capacities.find((c) => c.type === 'installee')?.unit ?? 'places';
  const [count, setCount] = useState(String(avail?.count ?? 0));
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [history, setHistory] = useState<CapacityHistory['items'] | null>(null);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  // other capacities
  const [otherType, setOtherType] = useState<CapacityType>('installee');
  const [otherCount, setOtherCount] = useState('');
  const [otherUnit, setOtherUnit] = useState<CapacityUnit>(unit);
  const [otherBusy, setOtherBusy] = useState(false);
  const [otherMsg, setOtherMsg] = useState<string | null>(null);
  const [otherErr, setOtherErr] = useState<string | null>(null);

  const loadHistory = () => api.capacityHistory(structureId, activity.id)
    .then((r) => setHistory(r.items ?? [])).catch(() => setHistory([]));
  useEffect(() => { loadHistory(); }, [activity.id]);

  const inputId = fieldId(`available-${activity.id}`);
  const label = t.manage.available(unit);
  const parsed = /^\d+$/.test(count.trim()) ? Number(count.trim()) : NaN;
  const step = (d: number) => { setMsg(null); setCount(String(Math.max(0, (Number.isFinite(parsed) ? parsed : 0) + d))); };

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setMsg(null); setErr(null);
    if (!Number.isFinite(parsed)) { setErr(t.manage.countInvalid); document.getElementById(inputId)?.focus(); return; }
    setBusy(true);
    try {
      const cap = await api.setCapacity(structureId, activity.id, 'disponible', parsed, unit);
      onSaved(activity.id, withOwnName({ ...cap, type: cap.type ?? 'disponible', count: cap.count ?? parsed, unit: cap.unit ?? unit }));
      setSavedAt(Date.now());
      setMsg(t.manage.saved(activity.label, t.directory.capacityText(cap.count ?? parsed, cap.unit ?? unit, 'disponible')));
      loadHistory();
    } catch (x) { setErr(problemText(x)); }
    finally { setBusy(false); }
  };

  const saveOther = async (e: Event) => {
    e.preventDefault();
    if (otherBusy) return;
    setOtherMsg(null); setOtherErr(null);
    const n = /^\d+$/.test(otherCount.trim()) ? Number(otherCount.trim()) : NaN;
    if (!Number.isFinite(n)) { setOtherErr(t.manage.countInvalid); return; }
    setOtherBusy(true);
    try {
      const cap = await api.setCapacity(structureId, activity.id, otherType, n, otherUnit);
      onSaved(activity.id, withOwnName({ ...cap, type: cap.type ?? otherType }));
      if (otherType === 'disponible') setCount(String(n));
      setOtherMsg(t.manage.saved(activity.label, t.directory.capacityText(n, otherUnit, otherType)));
      setOtherCount('');
      loadHistory();
    } catch (x) { setOtherErr(problemText(x)); }
    finally { setOtherBusy(false); }
  };

  const others = activity.capacities.filter((c) => c.type !== 'disponible');
  const titleId = `act-${activity.id}-title`;
  return (
    <section class="card activity-editor" aria-labelledby={titleId} data-testid="activity-editor">
      <h2 id={titleId} class="card__title">{activity.label}</h2>
      <p class="activity__meta">{[activity.field, activity.care_mode].filter(Boolean).join(' · ')}</p>
      <form class="stepper-form" onSubmit={save} noValidate aria-busy={busy ? 'true' : undefined}>
        <label class="stepper__label" for={inputId}>{label}</label>
        <p class="hint" id={`${inputId}-hint`} data-testid="current">
          {avail
            ? t.manage.current(t.directory.capacityText(avail.count, avail.unit, 'disponible'), freshnessText(avail, savedAt ?? loadedAt))
            : t.manage.currentNone}
        </p>
        {err && <p class="field-error" role="alert" id={`${inputId}-error`}>{err}</p>}
        <div class="stepper">
          <button type="button" class="btn btn--secondary stepper__btn" aria-label={t.manage.minus(label)} aria-controls={inputId}
            onClick={() => step(-1)}>−</button>
          <input id={inputId} class="stepper__input" type="number" inputMode="numeric" min={0} step={1} value={count}
            aria-describedby={`${inputId}-hint${err ? ` ${inputId}-error` : ''}`} aria-invalid={err ? 'true' : undefined}
            onInput={(e) => { setMsg(null); setCount((e.currentTarget as HTMLInputElement).value); }} />
          <button type="button" class="btn btn--secondary stepper__btn" aria-label={t.manage.plus(label)} aria-controls={inputId}
            onClick={() => step(1)}>+</button>
        </div>
        <SubmitButton busy={busy} label={t.common.save} busyLabel={t.common.saving} class="btn btn--primary btn--block" />
        <Status message={msg} />
      </form>

      <details class="more">
        <summary>{t.manage.otherCapacities}</summary>
        {others.length > 0 && (
          <ul class="capacities">
            {others.map((c) => (
              <li key={c.type} class="capacity">
                <strong>{t.directory.capacityText(c.count, c.unit, c.type)}</strong>
                <span class="capacity__fresh">{freshnessText(c, loadedAt)}</span>
              </li>
            ))}
          </ul>
        )}
        <form class="form" onSubmit={saveOther} noValidate>
          {otherErr && <p class="field-error" role="alert">{otherErr}</p>}
          <div class="grid-3">
            <SelectField name={`type-${activity.id}`} label={t.manage.capacityType} value={otherType} required
              onValue={(v) => setOtherType(v as CapacityType)}>
              {TYPES.map((ty) => <option key={ty} value={ty}>{t.directory.capacityTypes[ty]}</option>)}
            </SelectField>
            <TextField name={`count-${activity.id}`} label={t.manage.count} required type="number" inputMode="numeric" min={0} step={1}
              value={otherCount} onValue={setOtherCount} />
            <SelectField name={`unit-${activity.id}`} label={t.manage.unit} value={otherUnit} required
              onValue={(v) => setOtherUnit(v as CapacityUnit)}>
              {UNITS.map((u) => <option key={u} value={u}>{t.directory.units[u]}</option>)}
            </SelectField>
          </div>
          <SubmitButton busy={otherBusy} label={t.common.save} busyLabel={t.common.saving} class="btn btn--secondary" />
          <Status message={otherMsg} />
        </form>
      </details>

      <details class="more" data-testid="history">
        <summary>{t.manage.history}</summary>
        {history === null ? <Loading /> : history.length === 0 ? <p class="muted">{t.manage.historyEmpty}</p> : (
          <div class="table-wrap" tabIndex={0} role="region" aria-labelledby={`${titleId}-hist`}>
            <table class="table">
              <caption id={`${titleId}-hist`}>{t.manage.historyCaption(activity.label)}</caption>
              <thead><tr>
                <th scope="col">{t.manage.historyCols.at}</th><th scope="col">{t.manage.historyCols.type}</th>
                <th scope="col">{t.manage.historyCols.count}</th><th scope="col">{t.manage.historyCols.by}</th>
              </tr></thead>
              <tbody>
                {history.map((h, i) => (
                  <tr key={i}>
                    <td><time dateTime={h.at}>{formatDateTime(h.at)}</time></td>
                    <td>{t.directory.capacityTypes[h.type] ?? h.type}</td>
                    <td>{h.count} {(t.directory.units[h.unit] ?? h.unit).toLowerCase()}</td>
                    <td>{byText(h.by, h.by_name)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </details>
    </section>
  );
}

interface Draft { field: string; care_mode: string; label: string; min: string; max: string; area: string }
const EMPTY: Draft = { field: '', care_mode: '', label: '', min: '', max: '', area: '' };

function AddActivity({ structureId, onAdded }: { structureId: string; onAdded: (a: DirActivity) => void }) {
  const [d, setD] = useState<Draft>(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<string | null>(null);
  const set = (k: keyof Draft) => (v: string) => setD((o) => ({ ...o, [k]: v }));
  const age = (s: string) => (s.trim() === '' ? undefined : /^\d{1,3}$/.test(s.trim()) && Number(s) <= 130 ? Number(s) : NaN);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const errs: FieldErrors = {};
    for (const k of ['field', 'care_mode', 'label'] as const) if (!d[k].trim()) errs[k] = t.common.fieldRequired;
    const min = age(d.min), max = age(d.max);
    if (Number.isNaN(min)) errs.public_min_age = t.manage.ageInvalid;
    if (Number.isNaN(max)) errs.public_max_age = t.manage.ageInvalid;
    if (!errs.public_min_age && !errs.public_max_age && min !== undefined && max !== undefined && max < min) errs.public_max_age = t.manage.ageOrder;
    setErrors(errs); setProblem(null); setMsg(null);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const a = await api.addActivity(structureId, {
        field: d.field.trim(), care_mode: d.care_mode.trim(), label: d.label.trim(),
        ...(min !== undefined ? { public_min_age: min } : {}), ...(max !== undefined ? { public_max_age: max } : {}),
        ...(d.area.trim() ? { area: d.area.trim() } : {}),
      });
      onAdded(a);
      setMsg(t.manage.added(a.label ?? d.label.trim()));
      setD(EMPTY);
    } catch (x) { setProblem(isApiError(x) ? x : null); setErrors(fieldErrorsOf(x)); }
    finally { setBusy(false); }
  };

  return (
    <section class="card" aria-labelledby="add-title">
      <h2 id="add-title">{t.manage.addTitle}</h2>
      <Status message={msg} />
      <ErrorSummary problem={problem} fields={errors} labels={{
        field: t.manage.addField, care_mode: t.manage.addCareMode, label: t.manage.addLabel,
        public_min_age: t.manage.addMinAge, public_max_age: t.manage.addMaxAge, area: t.manage.addArea,
      }} />
      <form class="form" onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        <div class="grid-2">
          <TextField name="field" label={t.manage.addField} hint={t.manage.addFieldHint} required value={d.field} onValue={set('field')}
            error={errors.field} maxLength={200} />
          <TextField name="care_mode" label={t.manage.addCareMode} hint={t.manage.addCareModeHint} required value={d.care_mode}
            onValue={set('care_mode')} error={errors.care_mode} maxLength={200} />
        </div>
        <TextField name="label" label={t.manage.addLabel} hint={t.manage.addLabelHint} required value={d.label} onValue={set('label')}
          error={errors.label} maxLength={200} />
        <div class="grid-3">
          <TextField name="public_min_age" label={t.manage.addMinAge} type="number" inputMode="numeric" min={0} max={130}
            value={d.min} onValue={set('min')} error={errors.public_min_age} />
          <TextField name="public_max_age" label={t.manage.addMaxAge} type="number" inputMode="numeric" min={0} max={130}
            value={d.max} onValue={set('max')} error={errors.public_max_age} />
          <TextField name="area" label={t.manage.addArea} hint={t.manage.addAreaHint} value={d.area} onValue={set('area')}
            error={errors.area} maxLength={200} />
        </div>
        <div class="actions"><SubmitButton busy={busy} label={t.manage.add} busyLabel={t.manage.adding} /></div>
      </form>
    </section>
  );
}
