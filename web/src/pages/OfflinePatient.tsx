// A patient without network: the banner, the recent entries and alerts this device keeps, and the notebook's form,
// whose entries wait in the outbox until the network returns.
import { Page } from '../components/Page';
import { Loading } from '../components/forms';
import { Notebook } from '../components/Notebook';
import { StatusBadge, patientName } from '../components/PatientBits';
import { t, formatDateTimeShort } from '../i18n';
import { ageOf, useOfflinePatient } from '../offline/views';
import { Freshness } from './OfflinePatients';

export function OfflinePatient({ params }: { params?: string[] }) {
  const id = params?.[0] ?? '';
  const data = useOfflinePatient(id);
  if (!data) return <Loading />;
  const p = data.patient;
  if (!p) return <Page title={t.offline.notKept}><Freshness /><p><a href="/patients">{t.offline.backToPatients}</a></p></Page>;
  const age = ageOf(p.birth_date);
  return (
    <Page title={patientName(p)}>
      <p class="patient__meta" data-testid="offline-banner">
        {age !== null && <span>{t.offline.age(age)}</span>}
        <span>{t.identity.sex[p.sex] ?? p.sex}</span>
        <StatusBadge status={p.identity_status} />
      </p>
      <Freshness />
      {data.alerts.length > 0 && (
        <section aria-labelledby="offline-alerts">
          <h2 id="offline-alerts">{t.offline.alerts}</h2>
          <ul class="plain offline-alerts" data-testid="offline-alerts">
            {data.alerts.map((a) => (
              <li key={a.id} class="alert-row">
                <strong>{t.alerts.kinds[a.kind] ?? a.kind}</strong> — {a.body}{' '}
                <time class="muted" dateTime={a.created_at}>{formatDateTimeShort(a.created_at)}</time>
              </li>
            ))}
          </ul>
        </section>
      )}
      <Notebook patientId={p.id} health={p.access?.health ?? false} stored={data.entries} />
    </Page>
  );
}
