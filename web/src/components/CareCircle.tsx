// The care circle: members with role, period, status, referent mark, information of the patient and
// opposition; any active member adds someone (from the directory, by account id, or a contact without an
// account), ends a membership, moves the referent mark, records information and opposition.
import { useRef, useState } from 'preact/hooks';
import {
  api, isApiError, newKey, type ApiError, type CircleMember, type CircleMemberInput, type CircleRole, type DirSearchItem, type InformedHow,
} from '../api';
import { Dialog } from './Dialog';
import { DirectoryPicker } from './DirectoryPicker';
import { ErrorSummary, SelectField, Status, SubmitButton, TextAreaField, TextField, fieldErrorsOf, type FieldErrors } from './forms';
import { itemName } from './directory';
import { ErrorNotice } from './PatientBits';
import { t, formatDay } from '../i18n';

const ROLES: CircleRole[] = ['medecin_traitant', 'medecin_specialiste', 'infirmier', 'pharmacien', 'kinesitherapeute', 'sage_femme',
  'aide_soignant', 'aide_a_domicile', 'assistante_sociale', 'coordinateur', 'psychologue', 'structure', 'proche_aidant', 'autre'];
const HOWS: InformedHow[] = ['oral', 'ecrit', 'courrier', 'autre'];

function roleFor(i: DirSearchItem): CircleRole | '' {
  if (i.kind === 'structure') return 'structure';
  switch (i.profession_code) {
    case '10': return 'medecin_traitant';
    case '21': return 'pharmacien';
    case '50': return 'sage_femme';
    case '60': return 'infirmier';
    case '70': return 'kinesitherapeute';
    default: return '';
  }
}

function period(m: CircleMember) {
  const now = Date.now();
  if (m.end) return t.circle.period(formatDay(m.start), formatDay(m.end));
  return Date.parse(m.start) > now ? t.circle.from(formatDay(m.start)) : t.circle.since(formatDay(m.start));
}

type Action = { mode: 'end' | 'inform' | 'oppose'; member: CircleMember } | null;

export function CareCircle({ patientId, members, error, onChanged, canEdit = true }:
  { patientId: string; members: CircleMember[] | null; error: unknown; onChanged: () => void; canEdit?: boolean }) {
  const [action, setAction] = useState<Action>(null);
  const [how, setHow] = useState<InformedHow>('oral');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [actError, setActError] = useState<unknown>(null);
  const [msg, setMsg] = useState<string | null>(null);

  const open = (mode: 'end' | 'inform' | 'oppose', member: CircleMember) => { setHow('oral'); setReason(''); setActError(null); setAction({ mode, member }); };
  const run = async (fn: () => Promise<unknown>, done: string) => {
    if (busy) return;
    setBusy(true); setActError(null); setMsg(null);
    try { await fn(); setAction(null); setMsg(done); onChanged(); }
    catch (x) {
      if (isApiError(x, 'conflict')) { setAction(null); setMsg(t.circle.conflict); onChanged(); }
      else setActError(x);
    } finally { setBusy(false); }
  };
  const confirm = (e: Event) => {
    e.preventDefault();
    if (!action) return;
    const m = action.member;
    if (action.mode === 'end') run(() => api.updateMember(patientId, m, { end: new Date().toISOString() }), t.circle.ended(m.display_name));
    else if (action.mode === 'inform') run(() => api.recordInformation(patientId, m.id, how), t.circle.informSaved);
    else run(() => api.recordOpposition(patientId, m.id, how, reason.trim() || undefined), t.circle.opposeSaved);
  };
  const makeReferent = (m: CircleMember) => run(() => api.updateMember(patientId, m, { referent: true }), t.circle.referentMoved(m.display_name));

  const sorted = members ? [...members].sort((a, b) => (a.status === 'active' ? 0 : 1) - (b.status === 'active' ? 0 : 1)) : null;
  const title = action ? (action.mode === 'end' ? t.circle.endTitle(action.member.display_name)
    : action.mode === 'inform' ? t.circle.informTitle(action.member.display_name) : t.circle.opposeTitle(action.member.display_name)) : '';

  return (
    <div class="circle">
      <h2>{t.circle.title}</h2>
      <Status message={msg} />
      {!action && <ErrorNotice error={actError} />}
      <ErrorNotice error={error} />
      {sorted && (sorted.length === 0 ? <p class="muted">{t.circle.empty}</p> : (
        <ul class="members plain" data-testid="members">
          {sorted.map((m) => (
            <li key={m.id} class={`member member--${m.status}`} data-testid="member">
              <h3 class="member__name">{m.display_name || m.contact?.name || t.common.none}</h3>
              <p class="member__role">
                <span>{t.circle.roles[m.role] ?? m.role}</span>
                {m.profession && m.kind !== 'contact' && <span class="muted">{m.profession}</span>}
                {m.kind !== 'account' && <span class="muted">{t.circle.kinds[m.kind]}</span>}
              </p>
              <p class="member__badges">
                <span class={`badge badge--member-${m.status}`}>{t.circle.statuses[m.status] ?? m.status}</span>
                {m.referent && <span class="badge">{t.circle.referent}</span>}
                <span class="muted">{period(m)}</span>
              </p>
              {m.kind === 'contact' && m.contact && (m.contact.relation || m.contact.phone) && (
                <p class="muted">{[m.contact.relation, m.contact.phone].filter(Boolean).join(' · ')}</p>
              )}
              {m.kind !== 'contact' && (
                <p class="member__informed">
                  {m.informed ? t.circle.informed(formatDay(m.informed.at), t.circle.hows[m.informed.how] ?? m.informed.how) : t.circle.notInformed}
                </p>
              )}
              {m.opposition && <p class="member__opposition">{t.circle.opposition(formatDay(m.opposition.at), m.opposition.reason)}</p>}
              {canEdit && (m.status === 'active' || m.status === 'future') && (
                <div class="actions">
                  {m.kind !== 'contact' && !m.informed && (
                    <button type="button" class="btn btn--ghost btn--small" aria-label={t.circle.informNamed(m.display_name)}
                      onClick={() => open('inform', m)}>{t.circle.inform}</button>
                  )}
                  {!m.referent && m.kind !== 'contact' && m.status === 'active' && (
                    <button type="button" class="btn btn--ghost btn--small" aria-label={t.circle.makeReferentNamed(m.display_name)}
                      onClick={() => makeReferent(m)}>{t.circle.makeReferent}</button>
                  )}
                  {m.kind !== 'contact' && (
                    <button type="button" class="btn btn--ghost btn--small" aria-label={t.circle.opposeNamed(m.display_name)}
                      onClick={() => open('oppose', m)}>{t.circle.oppose}</button>
                  )}
                  <button type="button" class="btn btn--danger-outline btn--small" aria-label={t.circle.endNamed(m.display_name)}
                    onClick={() => open('end', m)}>{t.circle.end}</button>
                </div>
              )}
            </li>
          ))}
        </ul>
      ))}
      {canEdit && <AddMember patientId={patientId} onAdded={(name) => { setMsg(t.circle.added(name)); onChanged(); }} />}
      <Dialog open={!!action} id="member-action" title={title} onClose={() => setAction(null)}>
        {action && (
          <form class="form" onSubmit={confirm} noValidate aria-busy={busy ? 'true' : undefined}>
            {action.mode === 'end' && <p>{t.circle.endText}</p>}
            {action.mode === 'oppose' && <p class="notice notice--warning">{t.circle.opposeText}</p>}
            <ErrorNotice error={actError} />
            {action.mode !== 'end' && (
              <SelectField name="how" label={t.circle.howLabel} required value={how} onValue={(v) => setHow(v as InformedHow)}>
                {HOWS.map((h) => <option key={h} value={h}>{t.circle.hows[h]}</option>)}
              </SelectField>
            )}
            {action.mode === 'oppose' && (
              <TextAreaField name="opposition-reason" label={t.circle.reason} value={reason} onValue={setReason} rows={3} maxLength={1000} />
            )}
            <div class="actions">
              <SubmitButton busy={busy} label={action.mode === 'end' ? t.circle.endConfirm : t.common.save} busyLabel={t.common.saving}
                class={action.mode === 'inform' ? 'btn btn--primary' : 'btn btn--danger'} />
              <button type="button" class="btn btn--ghost" onClick={() => setAction(null)}>{t.common.cancel}</button>
            </div>
          </form>
        )}
      </Dialog>
    </div>
  );
}

// A colleague is chosen by name in the directory, where every account has an entry: never by an id.
type AddHow = 'directory' | 'contact';

function AddMember({ patientId, onAdded }: { patientId: string; onAdded: (name: string) => void }) {
  const [how, setHowAdd] = useState<AddHow>('directory');
  const [chosen, setChosen] = useState<DirSearchItem | null>(null);
  const [contact, setContact] = useState({ name: '', phone: '', relation: '' });
  const [role, setRole] = useState<CircleRole | ''>('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [referent, setReferent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<ApiError | null>(null);
  const key = useRef(newKey());

  const choose = (i: DirSearchItem | null) => { setChosen(i); if (i && !role) setRole(roleFor(i)); };
  const reset = () => {
    setChosen(null); setContact({ name: '', phone: '', relation: '' }); setRole(''); setStart(''); setEnd('');
    setReferent(false); key.current = newKey();
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const errs: FieldErrors = {};
    if (how === 'directory' && !chosen) errs.member = t.circle.chooseRequired;
    if (how === 'contact' && !contact.name.trim()) errs['contact.name'] = t.common.fieldRequired;
    if (!role) errs.role = t.common.fieldRequired;
    if (start && end && end <= start) errs.end = t.circle.endBeforeStart;
    setErrors(errs); setProblem(null);
    if (Object.keys(errs).length) return;
    const day = (d: string) => new Date(`${d}T00:00:00`).toISOString();
    const today = new Date().toISOString().slice(0, 10);
    const body: CircleMemberInput = {
      role: role as CircleRole,
      ...(how === 'directory' && chosen ? (chosen.kind === 'structure' ? { structure_id: chosen.id } : { professional_id: chosen.id }) : {}),
      ...(how === 'contact' ? {
        contact: { name: contact.name.trim(), ...(contact.phone.trim() ? { phone: contact.phone.trim() } : {}),
          ...(contact.relation.trim() ? { relation: contact.relation.trim() } : {}) },
      } : {}),
      ...(start && start !== today ? { start: day(start) } : {}),
      ...(end ? { end: day(end) } : {}),
      ...(referent ? { referent: true } : {}),
    };
    setBusy(true);
    try {
      const m = await api.addMember(patientId, body, key.current);
      const name = m.display_name || (chosen ? itemName(chosen) : contact.name.trim());
      reset();
      onAdded(name);
    } catch (x) { setProblem(isApiError(x) ? x : null); setErrors(fieldErrorsOf(x)); }
    finally { setBusy(false); }
  };

  return (
    <section class="card" aria-labelledby="add-member-title">
      <h3 id="add-member-title" class="card__title">{t.circle.addTitle}</h3>
      <ErrorSummary problem={problem} fields={errors} labels={{
        member: t.circle.directorySearch, 'contact.name': t.circle.contactName, role: t.circle.role,
        start: t.circle.start, end: t.circle.endDate,
      }} />
      <form class="form" onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        <fieldset class="choice choice--column">
          <legend>{t.circle.addHow}</legend>
          {([['directory', t.circle.addByDirectory], ['contact', t.circle.addContact]] as const).map(([v, label]) => (
            <div class="choice__item" key={v}>
              <input type="radio" id={`add-${v}`} name="add-how" value={v} checked={how === v}
                onChange={() => { setHowAdd(v); setErrors({}); if (v === 'contact') setRole('proche_aidant'); }} />
              <label for={`add-${v}`}>{label}</label>
            </div>
          ))}
        </fieldset>
        {how === 'directory' && <DirectoryPicker name="member" value={chosen} onChange={choose} error={errors.member ?? errors.professional_id ?? errors.structure_id} />}
        {how === 'contact' && (<>
          <TextField name="contact.name" label={t.circle.contactName} required value={contact.name} error={errors['contact.name']}
            onValue={(v) => setContact((c) => ({ ...c, name: v }))} maxLength={200} autocomplete="off" />
          <div class="grid-2">
            <TextField name="contact.phone" label={t.circle.contactPhone} type="tel" value={contact.phone} error={errors['contact.phone']}
              onValue={(v) => setContact((c) => ({ ...c, phone: v }))} maxLength={30} autocomplete="off" />
            <TextField name="contact.relation" label={t.circle.contactRelation} hint={t.circle.contactRelationHint} value={contact.relation}
              error={errors['contact.relation']} onValue={(v) => setContact((c) => ({ ...c, relation: v }))} maxLength={100} autocomplete="off" />
          </div>
        </>)}
        <SelectField name="role" label={t.circle.role} required value={role} onValue={(v) => setRole(v as CircleRole)} error={errors.role}>
          <option value="">{t.circle.chooseRole}</option>
          {ROLES.map((r) => <option key={r} value={r}>{t.circle.roles[r]}</option>)}
        </SelectField>
        <div class="grid-2">
          <TextField name="start" label={t.circle.start} hint={t.circle.startHint} type="date" value={start} onValue={setStart} error={errors.start} />
          <TextField name="end" label={t.circle.endDate} hint={t.circle.endDateHint} type="date" value={end} onValue={setEnd} error={errors.end} />
        </div>
        {how !== 'contact' && (
          <div class="check">
            <input type="checkbox" id="add-referent" checked={referent} onChange={(e) => setReferent((e.currentTarget as HTMLInputElement).checked)} />
            <label for="add-referent">{t.circle.asReferent}</label>
          </div>
        )}
        <div class="actions"><SubmitButton busy={busy} label={t.circle.add} busyLabel={t.circle.adding} /></div>
      </form>
    </section>
  );
}
