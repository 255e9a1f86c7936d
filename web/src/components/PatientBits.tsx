// Small pieces shared by the patient pages: names as the RNIV wants them shown, badges, plain-words problems
// and the "Voir plus" button of cursor lists.
import type { ComponentChildren } from 'preact';
import { isApiError, type PatientSummary, type Patient, type Visibility } from '../api';
import { t } from '../i18n';

type Named = Pick<PatientSummary, 'birth_name' | 'first_name'> & { used_name?: string | null };

/** "DUPONT Marie": the birth name and first name (strict traits), as the RNIV asks them to be displayed. */
export function patientName(p: Named): string {
  return [p.birth_name, p.first_name].filter(Boolean).join(' ');
}
/** The used name, when it differs from the birth name. */
export function usedNameOf(p: Named): string | null {
  return p.used_name && p.used_name !== p.birth_name ? p.used_name : null;
}

export function VisibilityBadge({ v }: { v: Visibility | string | null | undefined }) {
  if (!v) return null;
  return <span class={`badge badge--vis badge--vis-${v}`} data-testid="visibility">{t.visibility[v] ?? v}</span>;
}

export function StatusBadge({ status }: { status: Patient['identity_status'] }) {
  return <span class={`badge badge--identity badge--identity-${status}`}>{t.identity.status[status] ?? status}</span>;
}

/** "Titre — détail — message du champ" for a failed call, in plain words. */
export function problemText(e: unknown): string {
  if (isApiError(e)) return [e.title, e.detail, ...e.errors.map((x) => x.message)].filter(Boolean).join(' — ');
  return t.problems.unknown;
}

export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  return <p class="notice notice--error" role="alert">{problemText(error)}</p>;
}

export function MoreButton({ busy, onClick, label }: { busy: boolean; onClick: () => void; label: string }) {
  return (
    <p class="more-row">
      <button type="button" class="btn btn--secondary" aria-disabled={busy ? 'true' : undefined} onClick={() => { if (!busy) onClick(); }}>
        {busy && <span class="spinner" aria-hidden="true" />}{busy ? t.app.loading : label}
      </button>
    </p>
  );
}

/** Label + value rows (a <dl>), skipping empty values. */
export function Props({ rows, testid }: { rows: [string, ComponentChildren][]; testid?: string }) {
  return (
    <dl class="props" data-testid={testid}>
      {rows.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => (
        <div key={k}><dt>{k}</dt><dd>{v}</dd></div>
      ))}
    </dl>
  );
}

