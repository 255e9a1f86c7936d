// The app's places, in one list for both navigations: the header's menu (wide screens) and the bottom tab bar
// (phones). A service joins the tab bar by adding its entry with `tab` (Agenda goes between Messages and Annuaire
// when it lands); entries whose `shown` says no are left out, so no tab ever leads nowhere.
import { isApprover, isOperator } from './state/session';
import { t } from './i18n';
import { unreadMessages } from './state/live';

export interface NavItem {
  href: string;
  label: string;
  /** Shorter label under the icon of the tab bar; `label` when absent. */
  tabLabel?: string;
  icon: string;
  tab?: boolean;
  shown?: () => boolean;
  /** A live count shown on the entry (unread messages). */
  badge?: () => number;
}

export const NAV: NavItem[] = [
  { href: '/', label: t.nav.home, icon: 'home', tab: true },
  { href: '/patients', label: t.nav.patients, tabLabel: t.nav.patientsShort, icon: 'patients', tab: true },
  { href: '/messages', label: t.nav.messages, icon: 'messages', tab: true, badge: () => unreadMessages.value },
  { href: '/annuaire', label: t.nav.directory, icon: 'directory', tab: true },
  { href: '/profil', label: t.nav.profile, icon: 'profile' },
  { href: '/approbations', label: t.nav.approvals, icon: 'approvals', shown: () => isApprover.value },
  { href: '/journal', label: t.nav.audit, icon: 'audit', shown: () => isOperator.value },
];

export const visibleNav = () => NAV.filter((n) => !n.shown || n.shown());

/** 'page' on the place itself, 'true' on the pages under it (a patient under "Mes patients"). */
export function currentOf(href: string, path: string): 'page' | 'true' | undefined {
  if (path === href) return 'page';
  return href !== '/' && path.startsWith(href + '/') ? 'true' : undefined;
}
