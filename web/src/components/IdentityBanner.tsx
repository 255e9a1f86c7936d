// The identity of a patient, on its own tab (birth identity, status in words, flags, INS only when the server gives
// it), and for members the "Valider l'identité" (document) and "Confirmer auprès du téléservice INSi" actions.
import { useState } from 'preact/hooks';
import { api, isApiError, type ApiError, type IdentityDocument, type Patient, type PatientUpdate, type Sex } from '../api';
import { Dialog } from './Dialog';
import { ErrorSummary, SelectField, Status, SubmitButton, TextField, fieldErrorsOf, type FieldErrors } from './forms';
import { ErrorNotice, Props, StatusBadge, patientName, usedNameOf } from './PatientBits';
import { t, ageText, formatBirthDate, formatTime, personWord } from '../i18n';
import { ServiceIcon } from './icons';
import { CommunePicker, isCommuneCode } from './CommunePicker';
import { Phone, mapHref } from './directory';

const DOCUMENTS: IdentityDocument[] = ['cni', 'passeport', 'titre_sejour', 'livret_famille', 'acte_naissance'];

/**
 * The compact banner over every tab: age, sex and the identity status as an icon with words, the flags, and the
 * notices that must never be missed (an emergency access running, a merged record).
 */
export function PatientBanner({ patient: p }: { patient: Patient }) {
  const flags = (Object.keys(t.identity.flags) as (keyof Patient['flags'])[]).filter((f) => p.flags?.[f]);
  const checked = p.identity_status === 'validee' || p.identity_status === 'qualifiee';
  return (
    <div class="patient-banner" data-testid="patient-banner">
      <p class="patient-banner__line">
        <span data-testid="age">{ageText(p.birth_date)}</span>
        <span>{personWord(p.sex, p.birth_date)}</span>
        <span class={`identity-mark identity-mark--${p.identity_status}`} data-testid="identity-status">
          <ServiceIcon name={checked ? 'idChecked' : 'idUnchecked'} size={18} />{t.identity.status[p.identity_status] ?? p.identity_status}
        </span>
        {flags.map((f) => <span key={f} class="badge badge--warn">{t.identity.flags[f]}</span>)}
      </p>
      {(p.phone || p.address) && (
        // For the home visit: the call and the way there in one tap, without opening the identity tab.
        <p class="patient-banner__line patient-banner__contact" data-testid="patient-contact">
          {p.phone && <Phone phone={p.phone} />}
          {p.address && (
            <a class="contact-link" href={mapHref(p.address)} target="_blank" rel="noopener" aria-label={t.patient.mapOf(p.address)}
              data-testid="patient-map">{p.address}</a>
          )}
        </p>
      )}
      {p.access.via === 'break_glass' && (
        <div class="notice notice--warning" data-testid="break-glass-banner">
          <strong>{t.patient.breakGlassUntil(p.access.break_glass_until ? formatTime(p.access.break_glass_until) : '?')}</strong>
          <p>{t.patient.breakGlassNotice}</p>
        </div>
      )}
      {p.status === 'merged' && p.merged_into && (
        <p class="notice notice--info">{t.patient.merged} <a href={`/patients/${encodeURIComponent(p.merged_into)}`}>{t.patient.mergedLink}</a></p>
      )}
    </div>
  );
}

export function IdentityBanner({ patient: p, onChange }: { patient: Patient; onChange: (p: Patient) => void }) {
  const [validating, setValidating] = useState(false);
  const [doc, setDoc] = useState<IdentityDocument>('cni');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [qualifyError, setQualifyError] = useState<unknown>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const member = p.access.via === 'member';
  const flags = (Object.keys(t.identity.flags) as (keyof Patient['flags'])[]).filter((f) => p.flags?.[f]);
  const used = usedNameOf(p);

  const validate = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true); setProblem(null);
    try {
      const np = await api.validateIdentity(p.id, doc);
      onChange(np); setValidating(false); setMsg(t.patient.validated);
    } catch (x) { setProblem(isApiError(x) ? x : null); }
    finally { setBusy(false); }
  };
  const qualify = async () => {
    if (busy) return;
    setBusy(true); setQualifyError(null); setMsg(null);
    try { const np = await api.qualifyIdentity(p.id); onChange(np); setMsg(t.patient.qualified); }
    catch (x) { setQualifyError(x); }
    finally { setBusy(false); }
  };

  return (
    <section class="card identity" aria-labelledby="identity-title" data-testid="identity">
      <h2 id="identity-title" class="card__title">{t.patient.identityTitle}</h2>
      <p class="identity__status">
        <StatusBadge status={p.identity_status} />
        {flags.map((f) => <span key={f} class="badge badge--warn">{t.identity.flags[f]}</span>)}
      </p>
      <p class="muted identity__help">{t.identity.statusHelp[p.identity_status]}</p>
      {p.ins && <p class="identity__ins"><strong>{t.identity.ins}</strong> : <span data-testid="ins">{t.identity.insValue(p.ins.matricule, p.ins.kind)}</span></p>}
      <Props testid="identity-props" rows={[
        [t.identity.birthName, p.birth_name],
        [t.identity.birthFirstNames, p.birth_first_names],
        [t.identity.firstName, p.first_name],
        [t.identity.usedName, used],
        [t.identity.usedFirstName, p.used_first_name && p.used_first_name !== p.first_name ? p.used_first_name : null],
        [t.identity.birthDate, formatBirthDate(p.birth_date)],
        [t.identity.sexLabel, t.identity.sex[p.sex] ?? p.sex],
        [t.identity.birthplace, p.birthplace_code || t.identity.unknown],
        [t.identity.flagsLabel, flags.length ? flags.map((f) => t.identity.flags[f]).join(', ') : null],
        [t.identity.ins, p.ins ? t.identity.insValue(p.ins.matricule, p.ins.kind) : null],
        [t.identity.phone, p.phone],
        [t.identity.address, p.address],
      ]} />
      {member && p.status !== 'merged' && (
        <div class="actions">
          {(p.identity_status === 'provisoire' || p.identity_status === 'recuperee') && (
            <button type="button" class="btn btn--secondary" onClick={() => { setProblem(null); setValidating(true); }}>{t.patient.validate}</button>
          )}
          <button type="button" class="btn btn--ghost" onClick={() => setEditing(true)}>{t.patient.editTitle}</button>
          {p.identity_status === 'validee' && (
            <button type="button" class="btn btn--secondary" aria-disabled={busy ? 'true' : undefined} onClick={qualify}
              aria-describedby="qualify-hint">
              {busy && <span class="spinner" aria-hidden="true" />}{busy ? t.patient.qualifying : t.patient.qualify}
            </button>
          )}
        </div>
      )}
      {member && p.status !== 'merged' && p.identity_status === 'validee' && <p class="hint" id="qualify-hint">{t.patient.qualifyHint}</p>}
      <ErrorNotice error={qualifyError} />
      <Status message={msg} />
      <Dialog open={editing} id="edit-identity" title={t.patient.editTitle} onClose={() => setEditing(false)}>
        {editing && <EditIdentity patient={p} onSaved={(np, note) => { onChange(np); setMsg(note); if (note === t.patient.edited) setEditing(false); }}
          onCancel={() => setEditing(false)} />}
      </Dialog>
      <Dialog open={validating} id="validate" title={t.patient.validateTitle} onClose={() => setValidating(false)}>
        <form class="form" onSubmit={validate} noValidate aria-busy={busy ? 'true' : undefined}>
          <p>{t.patient.validateIntro}</p>
          <p><strong>{patientName(p)}</strong> — {formatBirthDate(p.birth_date)}</p>
          {!p.birthplace_code && <p class="notice notice--warning">{t.patient.validateNeedsBirthplace}</p>}
          <ErrorNotice error={problem} />
          <SelectField name="document" label={t.patient.document} required value={doc} onValue={(v) => setDoc(v as IdentityDocument)}>
            {DOCUMENTS.map((x) => <option key={x} value={x}>{t.identity.documents[x]}</option>)}
          </SelectField>
          <div class="actions">
            <SubmitButton busy={busy} label={t.patient.validateSubmit} busyLabel={t.patient.working} />
            <button type="button" class="btn btn--ghost" onClick={() => setValidating(false)}>{t.common.cancel}</button>
          </div>
        </form>
      </Dialog>
    </section>
  );
}

const STRICT = ['birth_name', 'birth_first_names', 'first_name', 'sex', 'birthplace_code'] as const;
const FREE = ['used_name', 'used_first_name', 'phone', 'address'] as const;
type EditKey = typeof STRICT[number] | typeof FREE[number];
const EDIT_LABELS: Record<EditKey, string> = {
  birth_name: t.identity.birthName, birth_first_names: t.identity.birthFirstNames, first_name: t.identity.firstName, sex: t.identity.sexLabel,
  birthplace_code: t.identity.birthplace, used_name: t.identity.usedName, used_first_name: t.identity.usedFirstName, phone: t.identity.phone,
  address: t.identity.address,
};

function EditIdentity({ patient: p, onSaved, onCancel }:
  { patient: Patient; onSaved: (p: Patient, note: string) => void; onCancel: () => void }) {
  const strict = p.identity_status === 'provisoire' || p.identity_status === 'recuperee';
  const initial = (x: Patient) => Object.fromEntries([...STRICT, ...FREE].map((k) => [k, String(x[k] ?? '')])) as Record<EditKey, string>;
  const [base, setBase] = useState(p);
  const [d, setD] = useState(() => initial(p));
  const [flags, setFlags] = useState({ ...p.flags });
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<ApiError | null>(null);
  const keys: EditKey[] = [...(strict ? STRICT : []), ...FREE];

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const body: PatientUpdate = {};
    const before = initial(base);
    for (const k of keys) if (d[k].trim() !== before[k]) (body as Record<string, string>)[k] = d[k].trim();
    if ((Object.keys(flags) as (keyof typeof flags)[]).some((f) => !!flags[f] !== !!base.flags?.[f])) body.flags = flags;
    if (!body.sex) delete body.sex;
    setProblem(null); setErrors({});
    // A commune name typed but not chosen in the list: say so here rather than send it.
    if (body.birthplace_code && !isCommuneCode(body.birthplace_code)) { setErrors({ birthplace_code: t.newPatient.birthplaceInvalid }); return; }
    if (body.birthplace_code) body.birthplace_code = body.birthplace_code.toUpperCase();
    if (!Object.keys(body).length) { onCancel(); return; }
    setBusy(true);
    try {
      onSaved(await api.updatePatient(base, body), t.patient.edited);
    } catch (x) {
      if (isApiError(x, 'conflict') && x.current && typeof x.current === 'object') {
        const cur = { ...base, ...(x.current as Patient) };
        setBase(cur); setD(initial(cur)); setFlags({ ...cur.flags });
        onSaved(cur, t.patient.editConflict);
        setProblem(x);
      } else { setProblem(isApiError(x) ? x : null); setErrors(fieldErrorsOf(x)); }
    } finally { setBusy(false); }
  };
  const shown = Object.fromEntries(Object.entries(errors).map(([k, v]) => [`edit_${k}`, v]));
  const labels = Object.fromEntries(Object.entries(EDIT_LABELS).map(([k, v]) => [`edit_${k}`, v]));
  return (
    <form class="form" onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
      <p class="hint">{t.patient.editIntro}</p>
      <ErrorSummary problem={problem} fields={shown} labels={labels} />
      {keys.map((k) => k === 'sex' ? (
        <SelectField key={k} name={`edit_${k}`} label={EDIT_LABELS[k]} required value={d.sex} error={errors.sex}
          onValue={(v) => setD((o) => ({ ...o, sex: v as Sex }))}>
          {(['F', 'M', 'I'] as const).map((x) => <option key={x} value={x}>{t.identity.sex[x]}</option>)}
        </SelectField>
      ) : k === 'birthplace_code' ? (
        <CommunePicker key={k} name={`edit_${k}`} value={d[k]} error={errors[k]} hint={t.newPatient.birthplaceHint}
          onValue={(v) => setD((o) => ({ ...o, [k]: v }))} />
      ) : (
        <TextField key={k} name={`edit_${k}`} label={EDIT_LABELS[k]} value={d[k]} error={errors[k]} required={k === 'birth_name' || k === 'birth_first_names'}
          onValue={(v) => setD((o) => ({ ...o, [k]: v }))} autocomplete="off" spellcheck={false} maxLength={k === 'address' ? 300 : 100}
          type={k === 'phone' ? 'tel' : 'text'} />
      ))}
      <fieldset class="choice">
        <legend>{t.newPatient.flagsLegend}</legend>
        {(['douteuse', 'fictive', 'homonyme'] as const).map((f) => (
          <div class="choice__item" key={f}>
            <input type="checkbox" id={`edit-flag-${f}`} checked={!!flags[f]}
              onChange={(e) => { const on = (e.currentTarget as HTMLInputElement).checked; setFlags((o) => ({ ...o, [f]: on })); }} />
            <label for={`edit-flag-${f}`}>{t.identity.flags[f]}</label>
          </div>
        ))}
      </fieldset>
      <div class="actions">
        <SubmitButton busy={busy} label={t.common.save} busyLabel={t.common.saving} />
        <button type="button" class="btn btn--ghost" onClick={onCancel}>{t.common.cancel}</button>
      </div>
    </form>
  );
}
