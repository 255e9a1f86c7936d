import type { ComponentType } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { route, navigate, loginUrl } from './router';
import { me } from './state/session';
import { online, cameBack } from './state/online';
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
import type { Role } from './api';

interface RouteDef { page: ComponentType; auth?: boolean; roles?: Role[] }
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
};

function Forbidden() {
  return <Page title={t.forbidden.title}><p>{t.forbidden.text}</p><p><a href="/">{t.notFound.home}</a></p></Page>;
}

function Routed() {
  const { path } = route.value;
  const def = routes[path];
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
  return <P key={path} />;
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
      </div>
      <main id="main" tabIndex={-1} ref={mainRef}>
        <Routed />
      </main>
      <footer class="site-footer"><p>{t.app.footer}</p></footer>
    </>
  );
}
