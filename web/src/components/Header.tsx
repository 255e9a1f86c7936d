import { me, isApprover, isOperator, logout } from '../state/session';
import { route } from '../router';
import { t } from '../i18n';
import { useState } from 'preact/hooks';

function NavLink({ href, label }: { href: string; label: string }) {
  const path = route.value.path;
  const current = path === href || (href !== '/' && path.startsWith(href + '/'));
  return <li><a href={href} aria-current={current ? (path === href ? 'page' : 'true') : undefined}>{label}</a></li>;
}

export function Header() {
  const user = me.value;
  const [leaving, setLeaving] = useState(false);
  return (
    <header class="site-header">
      <div class="site-header__inner">
        <a class="brand" href="/">
          <img src="/favicon.svg" alt="" width={32} height={32} />
          <span>{t.app.name}</span>
        </a>
        {user && (
          <div class="user">
            <span class="user__name" data-testid="user-name">{user.first_name} {user.last_name}</span>
            <span class="user__role">{t.roles[user.role] ?? user.role}</span>
          </div>
        )}
        {user && (
          <button type="button" class="btn btn--ghost btn--small" aria-disabled={leaving ? 'true' : undefined}
            onClick={async () => { if (leaving) return; setLeaving(true); await logout(); setLeaving(false); }}>
            {leaving ? t.nav.loggingOut : t.nav.logout}
          </button>
        )}
      </div>
      {user && (
        <nav class="main-nav" aria-label={t.app.mainNav}>
          <ul>
            <NavLink href="/" label={t.nav.home} />
            <NavLink href="/patients" label={t.nav.patients} />
            <NavLink href="/annuaire" label={t.nav.directory} />
            <NavLink href="/profil" label={t.nav.profile} />
            {isApprover.value && <NavLink href="/approbations" label={t.nav.approvals} />}
            {isOperator.value && <NavLink href="/journal" label={t.nav.audit} />}
          </ul>
        </nav>
      )}
    </header>
  );
}
