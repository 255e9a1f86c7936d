import type { ComponentType } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { route, navigate, loginUrl } from './router';
import { me } from './state/session';
import { online, cameBack } from './state/online';
import { pending } from './offline/outbox';
import { t } from './i18n';
import { Header } from './components/Header';
import { Loading } from './components/forms';
import { Page } from './components/Page';
import { Login } from './pages/Login';
import { Signup } from './pages/Signup';
import { Confirm } from './pages/Confirm';
import { TotpEnrol } from './pages/TotpEnrol';
import { Forgot } from './pages/Forgot';
import { Reset } from './pages/Reset';
import { Portal } from './pages/Portal';
import { Profile } from './pages/Profile';
import { Approvals } from './pages/Approvals';
import { Journal } from './pages/Journal';
import { NotFound } from './pages/NotFound';
import { DirectorySearch } from './pages/DirectorySearch';
import { ProfessionalPage } from './pages/ProfessionalPage';
import { StructurePage } from './pages/StructurePage';
import { StructureManage } from './pages/StructureManage';
import { MyPatients } from './pages/MyPatients';
import { NewPatient } from './pages/NewPatient';
import { PatientPage } from './pages/PatientPage';
import { Alerts } from './pages/Alerts';
import type { Role } from './api';

/** Pages of routes with parameters receive them in order (`/annuaire/structures/:id` → params[0]). */
interface RouteDef { page: ComponentType<{ params?: string[] }>; auth?: boolean; roles?: Role[] }
const routes: Record<string, RouteDef> = {
  '/connexion': { page: Login },
  '/inscription': { page: Signup },
  '/confirmer': { page: Confirm },
  '/double-authentification': { page: TotpEnrol },
  '/mot-de-passe-oublie': { page: Forgot },
  '/reinitialiser': { page: Reset },
  '/': { page: Portal, auth: true },
  '/profil': { page: Profile, auth: true },
  '/approbations': { page: Approvals, auth: true, roles: ['operator', 'structure_admin'] },
  '/journal': { page: Journal, auth: true, roles: ['operator'] },
  '/annuaire': { page: DirectorySearch, auth: true },
  '/patients': { page: MyPatients, auth: true },
  '/patients/nouveau': { page: NewPatient, auth: true },
  '/alertes': { page: Alerts, auth: true },
};
const patterns: [RegExp, RouteDef][] = [
  [/^\/annuaire\/professionnels\/([^/]+)$/, { page: ProfessionalPage, auth: true }],
  [/^\/annuaire\/structures\/([^/]+)$/, { page: StructurePage, auth: true }],
  [/^\/annuaire\/structures\/([^/]+)\/gestion$/, { page: StructureManage, auth: true }],
  [/^\/patients\/([^/]+)$/, { page: PatientPage, auth: true }],
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

function Routed() {
  const { path } = route.value;
  const found = match(path);
  const def = found?.def;
  const user = me.value;
  useEffect(() => {
    if (def?.auth && user === null) navigate(loginUrl(), { replace: true });
  }, [def, user]);
  if (!def) return <NotFound />;
  if (def.auth) {
    if (user === undefined) return <Loading />;
    if (user === null) return <Loading />;
    if (def.roles && !def.roles.includes(user.role)) return <Forbidden />;
  }
  const P = def.page;
  return <P key={path} params={found!.params} />;
}

export function App() {
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);
  const path = route.value.path;
  // After an in-app navigation, move the focus to the new page's heading, as a page load would.
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    const h1 = mainRef.current?.querySelector<HTMLElement>('h1');
    (h1 ?? mainRef.current)?.focus();
  }, [path]);
  return (
    <>
      <a class="skip-link" href="#main">{t.app.skipLink}</a>
      <Header />
      <div role="status" class={!online.value || cameBack.value ? 'offline-banner' : 'sr-only'}>
        {!online.value ? t.app.offline : cameBack.value ? t.app.backOnline : ''}
        {(!online.value || cameBack.value) && pending.value.length > 0 && <> {t.outbox.count(pending.value.length)}</>}
      </div>
      <main id="main" tabIndex={-1} ref={mainRef}>
        <Routed />
      </main>
      <footer class="site-footer"><p>{t.app.footer}</p></footer>
    </>
  );
}
