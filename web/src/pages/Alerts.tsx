// /alertes — the alerts of all my patients that I have not acknowledged yet (GET /alerts?state=open).
import { useEffect, useState } from 'preact/hooks';
import { api, type PatientAlert } from '../api';
import { Page } from '../components/Page';
import { Loading, Status } from '../components/forms';
import { AlertCard } from '../components/PatientAlerts';
import { ErrorNotice } from '../components/PatientBits';
import { t } from '../i18n';

export function Alerts() {
  const [items, setItems] = useState<PatientAlert[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [msg, setMsg] = useState<string | null>(null);
  useEffect(() => {
    api.openAlerts().then((r) => setItems(r.items)).catch(setError);
  }, []);
  const ack = async (a: PatientAlert) => {
    await api.acknowledgeAlert(a.patient.id, a.id);
    setItems((o) => (o ?? []).filter((x) => x.id !== a.id));
    setMsg(t.alerts.acknowledged);
  };
  return (
    <Page title={t.alerts.pageTitle} intro={t.alerts.pageIntro}>
      <Status message={msg} />
      <ErrorNotice error={error} />
      {items && <p class="count">{t.alerts.count(items.length)}</p>}
      {!items && !error ? <Loading /> : items && (items.length === 0 ? <p class="muted">{t.alerts.emptyOpen}</p> : (
        <ul class="plain entries" data-testid="alerts">
          {items.map((a) => <li key={a.id}><AlertCard alert={a} onAck={ack} showPatient headingLevel={2} /></li>)}
        </ul>
      ))}
    </Page>
  );
}
