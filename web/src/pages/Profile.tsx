import { useState } from 'preact/hooks';
import { api, ApiError, isApiError, type Me } from '../api';
import { Page } from '../components/Page';
import { ErrorSummary, Status, SubmitButton, TextField, fieldErrorsOf, type FieldErrors } from '../components/forms';
import { t } from '../i18n';
import { me, logout } from '../state/session';

const editable = (m: Me) => ({ first_name: m.first_name ?? '', last_name: m.last_name ?? '', phone: m.phone ?? '', specialty: m.specialty ?? '' });

export function Profile() {
  const user = me.value!;
  const [f, setF] = useState(() => editable(user));
  const set = (k: keyof typeof f) => (v: string) => setF((o) => ({ ...o, [k]: v }));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [status, setStatus] = useState<string | null>(null);
  const [leaving, setLeaving] = useState(false);

  const save = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    const e: FieldErrors = {};
    if (!f.first_name.trim()) e.first_name = t.common.fieldRequired;
    if (!f.last_name.trim()) e.last_name = t.common.fieldRequired;
    setErrors(e); setProblem(null); setStatus(null);
    if (Object.keys(e).length) return;
    setBusy(true);
    try {
      const updated = await api.updateMe(user.version, {
        first_name: f.first_name.trim(), last_name: f.last_name.trim(), phone: f.phone.trim(), specialty: f.specialty.trim(),
      });
      me.value = { ...user, ...updated };
      setF(editable(me.value));
      setStatus(t.profile.saved);
    } catch (err) {
      if (isApiError(err, 'conflict') && err.current && typeof err.current === 'object') {
        const current = { ...user, ...(err.current as Me) };
        me.value = current;
        setF(editable(current));
        setProblem(new ApiError({ status: 409, type: 'conflict', title: err.title, detail: t.profile.conflict }));
      } else {
        setProblem(isApiError(err) ? err : null);
        setErrors(fieldErrorsOf(err));
      }
    } finally { setBusy(false); }
  };

  const logoutAll = async () => {
    if (leaving || !window.confirm(t.profile.logoutAllConfirm)) return;
    setLeaving(true);
    await logout(true);
  };

  return (
    <Page title={t.profile.title}>
      <section class="card" aria-labelledby="acct-title">
        <h2 id="acct-title">{t.profile.account}</h2>
        <dl class="props">
          <div><dt>{t.fields.email}</dt><dd>{user.email}</dd></div>
          <div><dt>{t.profile.role}</dt><dd>{t.roles[user.role] ?? user.role}</dd></div>
          <div><dt>{t.profile.status}</dt><dd>{t.status[user.status] ?? user.status}</dd></div>
          <div><dt>{t.fields.profession}</dt><dd>{user.profession_label || t.common.none}</dd></div>
          <div><dt>{t.fields.rpps}</dt><dd>{user.rpps || t.common.none}</dd></div>
          <div><dt>{t.profile.structures}</dt><dd>{user.structures?.length ? user.structures.map((s) => s.name).join(', ') : t.profile.noStructure}</dd></div>
        </dl>
        {user.professional_id && (
          <p><a href={`/annuaire/professionnels/${encodeURIComponent(user.professional_id)}`} data-testid="directory-entry">
            {t.profile.directoryEntry}</a></p>
        )}
      </section>
      <section class="card" aria-labelledby="edit-title">
        <h2 id="edit-title">{t.profile.editTitle}</h2>
        <ErrorSummary problem={problem} fields={errors} labels={{ first_name: t.fields.firstName, last_name: t.fields.lastName, phone: t.fields.phone, specialty: t.fields.specialty }} />
        <Status message={status} />
        <form class="form" onSubmit={save} noValidate aria-busy={busy ? 'true' : undefined}>
          <div class="grid-2">
            <TextField name="first_name" label={t.fields.firstName} required value={f.first_name} onValue={set('first_name')} error={errors.first_name} autocomplete="given-name" />
            <TextField name="last_name" label={t.fields.lastName} required value={f.last_name} onValue={set('last_name')} error={errors.last_name} autocomplete="family-name" />
          </div>
          <TextField name="phone" label={t.fields.phone} hint={t.fields.phoneHint} type="tel" value={f.phone} onValue={set('phone')} error={errors.phone} autocomplete="tel" />
          <TextField name="specialty" label={t.fields.specialty} value={f.specialty} onValue={set('specialty')} error={errors.specialty} />
          <div class="actions"><SubmitButton busy={busy} label={t.common.save} busyLabel={t.common.saving} /></div>
        </form>
      </section>
      <section class="card" aria-labelledby="sec-title">
        <h2 id="sec-title">{t.profile.securityTitle}</h2>
        <p><a href="/mot-de-passe-oublie">{t.profile.changePassword}</a> <span class="hint">{t.profile.changePasswordHint}</span></p>
        <p class="hint" id="logout-all-hint">{t.profile.logoutAllHint}</p>
        <button type="button" class="btn btn--danger" aria-describedby="logout-all-hint" aria-disabled={leaving ? 'true' : undefined} onClick={logoutAll}>
          {t.profile.logoutAll}
        </button>
      </section>
    </Page>
  );
}
