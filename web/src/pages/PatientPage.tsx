// /patients/:id — one patient: a compact banner (name, age, sex, identity status), then tabs opening on the notebook
// (Cahier de liaison, Alertes, Cercle de soins, Identité, Chronologie, Journal des accès when the server lets me read
// it). The tab is kept in ?onglet=. On the heading's line, "Conversation du cercle de soins" opens the messages of the
// circle (made on first use); an emergency access does not open it, and says so.
import { useEffect, useState } from 'preact/hooks';
import { api, type AccessLogPage, type CircleMember, type Patient } from '../api';
import { Page } from '../components/Page';
import { Loading } from '../components/forms';
import { useRecord } from '../components/directory';
import { IdentityBanner, PatientBanner } from '../components/IdentityBanner';
import { Tabs, type TabDef } from '../components/Tabs';
import { Notebook } from '../components/Notebook';
import { VitalsCharts } from '../components/VitalsCharts';
import { PatientAlerts } from '../components/PatientAlerts';
import { CareCircle } from '../components/CareCircle';
import { Timeline } from '../components/Timeline';
import { AccessLog } from '../components/AccessLog';
import { ErrorNotice, patientName } from '../components/PatientBits';
import { MergeDialog } from '../components/MergeDialog';
import { Status } from '../components/forms';
import { ServiceIcon } from '../components/icons';
import { isOperator } from '../state/session';
import { t } from '../i18n';
import { navigate, route } from '../router';

/** URL words of the tabs. */
const SLUGS: Record<string, string> = {
  notebook: 'cahier', alerts: 'alertes', circle: 'cercle', identity: 'identite', timeline: 'chronologie', access: 'acces',
};
const KEYS = Object.fromEntries(Object.entries(SLUGS).map(([k, v]) => [v, k]));

export function PatientPage({ params = [] }: { params?: string[] }) {
  const id = params[0];
  const { data: p, setData, error, reload } = useRecord(() => api.patient(id), [id]);
  const [merging, setMerging] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => { setNote(null); setMerging(false); }, [id]);
  const [members, setMembers] = useState<CircleMember[] | null>(null);
  const [circleError, setCircleError] = useState<unknown>(null);
  const [circleTick, setCircleTick] = useState(0);
  const [log, setLog] = useState<AccessLogPage | null>(null);

  const loaded = !!p;
  useEffect(() => {
    if (!loaded) return;
    let live = true;
    api.circle(id).then((r) => { if (live) { setMembers(r.items); setCircleError(null); } }).catch((e) => { if (live) setCircleError(e); });
    return () => { live = false; };
  }, [id, loaded, circleTick]);
  // The access log tab exists only when the server answers 200 (referent, coordinator, operator).
  useEffect(() => {
    if (!loaded) return;
    let live = true;
    api.accessLog(id).then((r) => { if (live) setLog(r); }).catch(() => { if (live) setLog(null); });
    return () => { live = false; };
  }, [id, loaded]);

  if (error) {
    return (
      <Page title={t.patient.titleShort}>
        <p class="back"><a href="/patients">{t.patient.backToList}</a></p>
        <div class="error-summary" role="alert">
          <h2 class="error-summary__title">{error.status === 404 ? t.patient.notFound : t.patient.loadError}</h2>
          {error.status !== 404 && <p>{error.title}{error.detail ? ` — ${error.detail}` : ''}</p>}
        </div>
      </Page>
    );
  }
  if (!p) return <Page title={t.patient.titleShort}><Loading /></Page>;

  const clinical = p.access.clinical !== false && p.status !== 'merged';
  // The notebook first (what the nurse opens the record for); without clinical access (operators), the identity.
  const identityTab = { key: 'identity', label: t.patient.tabs.identity };
  const tabs: TabDef[] = [
    ...(clinical ? [{ key: 'notebook', label: t.patient.tabs.notebook }, { key: 'alerts', label: t.patient.tabs.alerts }] : [identityTab]),
    { key: 'circle', label: t.patient.tabs.circle },
    ...(clinical ? [identityTab] : []),
    ...(clinical ? [{ key: 'timeline', label: t.patient.tabs.timeline }] : []),
    ...(log ? [{ key: 'access', label: t.patient.tabs.access }] : []),
  ];
  const wanted = KEYS[route.value.query.get('onglet') ?? ''] ?? tabs[0].key;
  const current = tabs.some((x) => x.key === wanted) ? wanted : tabs[0].key;
  const choose = (k: string) => {
    const q = new URLSearchParams(route.value.query);
    q.set('onglet', SLUGS[k] ?? k);
    navigate(`/patients/${encodeURIComponent(id)}?${q}`, { replace: true, scroll: false });
  };
  const name = patientName(p);

  return (
    <Page title={name} heading={<span data-testid="patient-name">{name}</span>}
      actions={p.access.via === 'member' && p.status !== 'merged' ? <CircleConversationButton patient={p} /> : undefined}>
      <p class="back back--wide"><a href="/patients">{t.patient.backToList}</a></p>
      <PatientBanner patient={p} />
      {p.access.via === 'break_glass' && <p class="muted" data-testid="circle-conversation-closed">{t.messages.circleConversationBreakGlass}</p>}
      {p.access.via === 'operator' && <p class="muted" data-testid="operator-notice">{t.patient.operatorNotice}</p>}
      {isOperator.value && p.status !== 'merged' && (
        <p class="actions page-actions">
          <button type="button" class="btn btn--secondary" onClick={() => { setNote(null); setMerging(true); }}>{t.merge.open}</button>
        </p>
      )}
      <div data-testid="merge-status"><Status message={note} /></div>
      {isOperator.value && (
        <MergeDialog patient={p} open={merging} onClose={() => setMerging(false)}
          onMerged={(survivor, msg) => {
            // The survivor as the server answers it, then a fresh read and the circle that grew.
            setData(survivor); setMerging(false); setNote(msg); reload(); setCircleTick((x) => x + 1);
          }} />
      )}
      <Tabs tabs={tabs} current={current} onChange={choose} label={t.patient.sections} idPrefix="ptab">
        {current === 'notebook' && <>
          <Notebook patientId={id} health={p.access.health !== false} />
          {p.access.health !== false && <VitalsCharts patientId={id} />}
        </>}
        {current === 'alerts' && <PatientAlerts patientId={id} members={members} />}
        {current === 'circle' && <CareCircle patientId={id} members={members} error={circleError}
          canEdit={p.access.via !== 'operator' && p.status !== 'merged'} onChanged={() => setCircleTick((x) => x + 1)} />}
        {current === 'identity' && <IdentityBanner patient={p} onChange={setData} />}
        {current === 'timeline' && <Timeline patientId={id} />}
        {current === 'access' && log && <AccessLogLoader id={id} first={log} />}
      </Tabs>
    </Page>
  );
}

/** Opens (makes, the first time) the conversation of the patient's care circle, and goes to it. */
function CircleConversationButton({ patient }: { patient: Patient }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const open = async () => {
    if (busy) return;
    setBusy(true); setError(null);
    try {
      const c = await api.patientConversation(patient.id);
      navigate(`/messages/${encodeURIComponent(c.id)}`);
    } catch (x) { setError(x); setBusy(false); }
  };
  return (
    <>
      <button type="button" class="btn btn--secondary circle-conversation" onClick={open} aria-disabled={busy ? 'true' : undefined}
        data-testid="circle-conversation">
        <ServiceIcon name="messages" size={22} />{busy ? t.messages.circleConversationOpening : t.messages.circleConversation}
      </button>
      {error && <ErrorNotice error={error} />}
    </>
  );
}

/** Reloads the access log each time its tab opens (the reads just made are in it). */
function AccessLogLoader({ id, first }: { id: string; first: AccessLogPage }) {
  const [page, setPage] = useState<AccessLogPage | null>(null);
  useEffect(() => {
    let live = true;
    api.accessLog(id).then((r) => { if (live) setPage(r); }).catch(() => { if (live) setPage(first); });
    return () => { live = false; };
  }, [id]);
  return page ? <AccessLog patientId={id} first={page} /> : <Loading />;
}
