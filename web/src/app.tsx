import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { route, navigate, loginUrl } from './router';
import { me } from './state/session';
import { online, cameBack } from './state/online';
import { pending } from './offline/outbox';
import { t } from './i18n';
import { Header, TabBar } from './components/Header';
import { Loading } from './components/forms';
import { Page } from './components/Page';
import { NotFound } from './pages/NotFound';
import { offlineMode, wipedBecause } from './offline/sync';
import type { Role } from './api';

type PageComponent = ComponentType<{ params?: string[] }>;
/**
 * Each page is its own chunk, loaded when its route matches (at once, while the session is being checked): a phone
 * on a slow network parses the page it opens, not the whole app. The service worker precaches every chunk, so
 * pages still open offline.
 */
type PageLoader = () => Promise<PageComponent>;
const loaded = new Map<PageLoader, PageComponent>();
const loading = new Map<PageLoader, Promise<PageComponent>>();
function load(l: PageLoader): Promise<PageComponent> {
  if (!loading.has(l)) loading.set(l, l().then((c) => { loaded.set(l, c); return c; }));
  return loading.get(l)!;
}
const page = (importer: () => Promise<Record<string, unknown>>, name: string): PageLoader =>
  () => importer().then((m) => m[name] as PageComponent);

/** Pages of routes with parameters receive them in order (`/annuaire/structures/:id` → params[0]). */
interface RouteDef { page: PageLoader; auth?: boolean; roles?: Role[] }
const routes: Record<string, RouteDef> = {
  '/connexion': { page: page(() => import('./pages/Login'), 'Login') },
  '/connexion/pro-sante-connect': { page: page(() => import('./pages/PscChoice'), 'PscChoice') },
  '/inscription': { page: page(() => import('./pages/Signup'), 'Signup') },
  '/confirmer': { page: page(() => import('./pages/Confirm'), 'Confirm') },
  '/double-authentification': { page: page(() => import('./pages/TotpEnrol'), 'TotpEnrol') },
  '/mot-de-passe-oublie': { page: page(() => import('./pages/Forgot'), 'Forgot') },
  '/reinitialiser': { page: page(() => import('./pages/Reset'), 'Reset') },
  '/': { page: page(() => import('./pages/Portal'), 'Portal'), auth: true },
  '/profil': { page: page(() => import('./pages/Profile'), 'Profile'), auth: true },
  '/approbations': { page: page(() => import('./pages/Approvals'), 'Approvals'), auth: true, roles: ['operator', 'structure_admin'] },
  '/journal': { page: page(() => import('./pages/Journal'), 'Journal'), auth: true, roles: ['operator'] },
  '/annuaire': { page: page(() => import('./pages/DirectorySearch'), 'DirectorySearch'), auth: true },
  '/patients': { page: page(() => import('./pages/MyPatients'), 'MyPatients'), auth: true },
  '/patients/nouveau': { page: page(() => import('./pages/NewPatient'), 'NewPatient'), auth: true },
  '/alertes': { page: page(() => import('./pages/Alerts'), 'Alerts'), auth: true },
  '/messages': { page: page(() => import('./pages/Messages'), 'Messages'), auth: true },
};
const patterns: [RegExp, RouteDef][] = [
  [/^\/annuaire\/professionnels\/([^/]+)$/, { page: page(() => import('./pages/ProfessionalPage'), 'ProfessionalPage'), auth: true }],
  [/^\/annuaire\/structures\/([^/]+)$/, { page: page(() => import('./pages/StructurePage'), 'StructurePage'), auth: true }],
  [/^\/annuaire\/structures\/([^/]+)\/gestion$/, { page: page(() => import('./pages/StructureManage'), 'StructureManage'), auth: true }],
  [/^\/patients\/([^/]+)$/, { page: page(() => import('./pages/PatientPage'), 'PatientPage'), auth: true }],
  [/^\/messages\/([^/]+)$/, { page: page(() => import('./pages/ConversationPage'), 'ConversationPage'), auth: true }],
];

function match(path: string): { def: RouteDef; params: string[] } | null {
  if (routes[path]) return { def: routes[path], params: [] };
  for (const [re, def] of patterns) {
    const m = re.exec(path);
    if (m) {
      try { return { def, params: m.slice(1).map(decodeURIComponent) }; } catch { return null; }
    }
  }
  return null;
}

function Forbidden() {
  return <Page title={t.forbidden.title}><p>{t.forbidden.text}</p><p><a href="/">{t.notFound.home}</a></p></Page>;
}

/** The component of `l` once its chunk is in, undefined until then (it is asked for at once). */
function useLoaded(l: PageLoader | undefined): PageComponent | undefined {
  const [, setReady] = useState(0);
  const P = l ? loaded.get(l) : undefined;
  useEffect(() => {
    if (l && !P) load(l).then(() => setReady((x) => x + 1)).catch(() => setReady((x) => x + 1));
  }, [l, P]);
  return P;
}

// Chunks too: they are precached like the others, and most starts (online) never need them.
const offlinePages = {
  unlock: page(() => import('./pages/OfflineUnlock'), 'OfflineUnlock'),
  patient: page(() => import('./pages/OfflinePatient'), 'OfflinePatient'),
  patients: page(() => import('./pages/OfflinePatients'), 'OfflinePatients'),
  unavailable: page(() => import('./pages/OfflinePatients'), 'OfflineUnavailable'),
  messages: page(() => import('./pages/Messages'), 'OfflineMessages'),
  conversation: page(() => import('./pages/ConversationPage'), 'OfflineConversation'),
};

/** Reopened without network: the device code first, then the patients this device keeps. */
function OfflineRouted({ path }: { path: string }) {
  const m = /^\/patients\/([^/]+)$/.exec(path);
  const c = /^\/messages\/([^/]+)$/.exec(path);
  const [l, params]: [PageLoader, string[]] = offlineMode.value === 'locked' ? [offlinePages.unlock, []]
    : m && m[1] !== 'nouveau' ? [offlinePages.patient, [decodeURIComponent(m[1])]]
    : c ? [offlinePages.conversation, [decodeURIComponent(c[1])]]
    : path === '/messages' ? [offlinePages.messages, []]
    : path === '/' || path === '/patients' ? [offlinePages.patients, []]
    : [offlinePages.unavailable, []];
  const P = useLoaded(l);
  return P ? <P key={path} params={params} /> : <Loading />;
}

function Routed() {
  const { path } = route.value;
  const found = match(path);
  const def = found?.def;
  const user = me.value;
  const offline = offlineMode.value;
  useEffect(() => {
    if (def?.auth && user === null && !offline) navigate(loginUrl(), { replace: true });
  }, [def, user, offline]);
  // The page's chunk is asked for at once, in parallel with the session check.
  const P = useLoaded(def?.page);
  if (offline && !user && def?.auth) return <OfflineRouted path={path} />;
  if (!def) return <NotFound />;
  if (def.auth) {
    if (user === undefined) return <Loading />;
    if (user === null) return <Loading />;
    if (def.roles && !def.roles.includes(user.role)) return <Forbidden />;
  }
  if (!P) return <Loading />;
  return <P key={path} params={found!.params} />;
}

export function App() {
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);
  const path = route.value.path;
  // After an in-app navigation, move the focus to the new page's heading, as a page load would.
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    const main = mainRef.current;
    if (!main) return;
    const h1 = main.querySelector<HTMLElement>('h1');
    if (h1) { h1.focus(); return; }
    // The page's chunk is still on its way: focus the main region now, and its heading when it appears.
    main.focus();
    const seen = new MutationObserver(() => {
      const h = main.querySelector<HTMLElement>('h1');
      if (h) { seen.disconnect(); if (document.activeElement === main) h.focus(); }
    });
    seen.observe(main, { childList: true, subtree: true });
    const stop = setTimeout(() => seen.disconnect(), 10000);
    return () => { seen.disconnect(); clearTimeout(stop); };
  }, [path]);
  return (
    <>
      <a class="skip-link" href="#main">{t.app.skipLink}</a>
      <Header />
      <div role="status" class={!online.value || cameBack.value ? 'offline-banner' : 'sr-only'}>
        {!online.value ? (offlineMode.value ? t.offline.banner : t.app.offline) : cameBack.value ? t.app.backOnline : ''}
        {(!online.value || cameBack.value) && pending.value.length > 0 && <> {t.outbox.count(pending.value.length)}</>}
      </div>
      <main id="main" tabIndex={-1} ref={mainRef}>
        {wipedBecause.value && (
          <p class="notice notice--warn" role="alert" data-testid="offline-wiped">
            {wipedBecause.value === 'revoked' ? t.offline.wipedRevoked : wipedBecause.value === 'stale' ? t.offline.wipedStale : t.offline.wipedFailures}
          </p>
        )}
        <Routed />
      </main>
      <footer class="site-footer"><p>{t.app.footer}</p></footer>
      <TabBar />
    </>
  );
}
