import { me, logout } from '../state/session';
import { route } from '../router';
import { t } from '../i18n';
import { useState } from 'preact/hooks';
import { currentOf, visibleNav } from '../nav';
import { ServiceIcon } from './icons';

/** What the header says the user is: the profession ("Infirmier"), the role only for accounts without one. */
export function whoLabel(u: { profession_label?: string | null; profession_code?: string | null; role: string }): string {
  const p = u.profession_label?.trim();
  return p && u.profession_code !== 'NV' ? p : (t.roles[u.role] ?? u.role);
}

/** The live count of a navigation entry; its words for screen readers. */
function Badge({ n }: { n?: number }) {
  if (!n) return null;
  return <span class="count-badge count-badge--nav" data-testid="nav-badge"><span aria-hidden="true">{n > 99 ? '99+' : n}</span><span class="sr-only">{t.messages.unread(n)}</span></span>;
}

export function Header() {
  const user = me.value;
  const path = route.value.path;
  const [leaving, setLeaving] = useState(false);
  return (
    <header class="site-header">
      <div class="site-header__inner">
        <a class="brand" href="/">
          <img src="/favicon.svg" alt="" width={32} height={32} />
          <span>{t.app.name}</span>
        </a>
        {user && (
          <a class="user" href="/profil" aria-current={path === '/profil' ? 'page' : undefined}>
            <span class="user__name" data-testid="user-name">{user.first_name} {user.last_name}</span>
            <span class="user__role" data-testid="user-profession">{whoLabel(user)}</span>
          </a>
        )}
        {user && (
          <button type="button" class="btn btn--ghost btn--small logout" aria-disabled={leaving ? 'true' : undefined}
            onClick={async () => { if (leaving) return; setLeaving(true); await logout(); setLeaving(false); }}>
            <ServiceIcon name="logout" size={20} />
            <span class="logout__text">{leaving ? t.nav.loggingOut : t.nav.logout}</span>
          </button>
        )}
      </div>
      {user && (
        <nav class="main-nav" aria-label={t.app.mainNav}>
          <ul>
            {visibleNav().map((n) => (
              <li key={n.href}><a href={n.href} aria-current={currentOf(n.href, path)}>{n.label}<Badge n={n.badge?.()} /></a></li>
            ))}
          </ul>
        </nav>
      )}
    </header>
  );
}

/**
 * Phones: the places used all day as a bottom tab bar, within reach of the thumb. Shown by CSS on narrow screens
 * only (the header's menu is hidden there), so that one navigation landmark is ever exposed at a time.
 */
export function TabBar() {
  const user = me.value;
  if (!user) return null;
  const path = route.value.path;
  return (
    <nav class="tab-bar" aria-label={t.app.mainNav}>
      <ul>
        {visibleNav().filter((n) => n.tab).map((n) => (
          <li key={n.href}>
            <a href={n.href} aria-current={currentOf(n.href, path)} class="tab-bar__link">
              <ServiceIcon name={n.icon} size={24} />
              <Badge n={n.badge?.()} />
              <span class="tab-bar__label">
                {n.tabLabel && n.label.endsWith(n.tabLabel.toLowerCase()) && <span class="sr-only">{n.label.slice(0, -n.tabLabel.length)}</span>}
                {n.tabLabel ?? n.label}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
