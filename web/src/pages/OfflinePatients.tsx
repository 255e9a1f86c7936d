// "Mes patients" without network: the patients this device keeps (offline store), their open alerts, and the
// favourites, with the time of the last sync.
import { Page } from '../components/Page';
import { Loading } from '../components/forms';
import { StatusBadge, patientName } from '../components/PatientBits';
import { t } from '../i18n';
import { syncedAt } from '../offline/sync';
import { ageOf, communeOf, openAlertsOf, useOfflinePatients } from '../offline/views';

export function Freshness() {
  return <p class="offline-freshness" data-testid="freshness">{t.offline.synced(syncedAt.value)} · {t.offline.copy}</p>;
}

export function OfflinePatients() {
  const data = useOfflinePatients();
  return (
    <Page title={t.offline.patientsTitle}>
      <Freshness />
      <p><a href="/messages" data-testid="offline-messages-link">{t.messages.offlineLink}</a></p>
      {!data ? <Loading /> : data.list.length === 0 ? <p class="muted">{t.offline.noPatients}</p> : (
        <ul class="patient-list" data-testid="offline-patients">
          {data.list.map(({ patient: p, alerts }) => {
            const age = ageOf(p.birth_date), commune = communeOf(p.address), open = openAlertsOf(alerts);
            return (
              <li key={p.id} class="patient patient--offline">
                <h2 class="patient__name"><a href={`/patients/${encodeURIComponent(p.id)}`}>{patientName(p)}</a></h2>
                <p class="patient__meta">
                  {age !== null && <span>{t.offline.age(age)}</span>}
                  <span>{t.identity.sex[p.sex] ?? p.sex}</span>
                  {commune && <span>{commune}</span>}
                </p>
                <p class="patient__badges"><StatusBadge status={p.identity_status} />
                  {open > 0 && <span class="badge badge--alert" data-testid="open-alerts">{t.offline.openAlerts(open)}</span>}</p>
              </li>
            );
          })}
        </ul>
      )}
      {data && data.favorites.length > 0 && (
        <section aria-labelledby="offline-favorites">
          <h2 id="offline-favorites">{t.offline.favorites}</h2>
          <ul class="plain" data-testid="offline-favorites">
            {data.favorites.map((f) => <li key={f.id}>{f.label}</li>)}
          </ul>
        </section>
      )}
    </Page>
  );
}

export function OfflineUnavailable() {
  return (
    <Page title={t.offline.unavailable}>
      <Freshness />
      <p><a href="/patients">{t.offline.backToPatients}</a></p>
    </Page>
  );
}
