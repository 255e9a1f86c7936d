// Who is logged in: undefined while the first GET /me is on its way, null when nobody is.
import { signal, computed, effect } from '@preact/signals';
import { api, isApiError, setUnauthenticatedHandler, type Me } from '../api';
import { forgetCsrf } from '../api/client';
import { navigate, loginUrl } from '../router';
import { switchAccount, pending } from '../offline/outbox';
import { enterOffline, forgetDevice, offlineMode, sessionEnded, sessionStarted } from '../offline/sync';
import { t } from '../i18n';

export const me = signal<Me | null | undefined>(undefined);
export const flash = signal<string | null>(null);

export const isApprover = computed(() => me.value?.role === 'operator' || me.value?.role === 'structure_admin');
export const isOperator = computed(() => me.value?.role === 'operator');

export async function loadMe(): Promise<Me | null> {
  try {
    me.value = await api.me();
    offlineMode.value = null;
  } catch (e) {
    // Reopened without network: the offline pages, if this device keeps a store (offline/sync.ts).
    if (isApiError(e, 'network') && !me.value) await enterOffline().catch(() => false);
    if (isApiError(e) && e.status === 401) { me.value = null; offlineMode.value = null; }
    else if (me.value === undefined) me.value = null;
  }
  return me.value ?? null;
}

// Reopened offline, the app tries the session again when the network returns: the online pages take over if it is
// still valid; otherwise the login page, and the store and the outbox wait for the same person.
window.addEventListener('online', () => { if (offlineMode.value) void loadMe(); });

export function sessionOpened(account: Me) { me.value = account; }

/** Ends this session, or with `everywhere` every session of the account. */
export async function logout(everywhere = false) {
  const id = me.value?.id;
  const waiting = pending.value.length;
  if (waiting && !window.confirm(t.outbox.logoutConfirm(waiting))) return;
  // Web Push ends on this device with the session (the next user here did not ask for it).
  await import('../components/PushOffer').then((m) => m.forgetPush()).catch(() => { /* no push here */ });
  try { await (everywhere ? api.logoutAll() : api.logout()); } catch { /* the session is gone either way */ }
  if (id) await forgetDevice().catch(() => { /* no IndexedDB: nothing was kept */ });
  me.value = null;
  forgetCsrf();
  flash.value = 'loggedOut';
  navigate('/connexion');
}

// The offline outbox follows the account: its waiting entries are shown and sent only in its own session (an
// expired session keeps them for the next login of the same person).
let outboxAccount: string | null | undefined;
effect(() => {
  const id = me.value?.id ?? null;
  if (me.value === undefined || id === outboxAccount) return;
  outboxAccount = id;
  const who = me.value;
  void (async () => {
    if (who) await sessionStarted(who).catch(() => { /* no IndexedDB or WebCrypto: no offline store */ });
    else sessionEnded();
    await switchAccount(id);
  })().catch(() => { /* no IndexedDB (private mode): writes are never queued */ });
});

setUnauthenticatedHandler((e) => {
  if (me.value) {
    me.value = null;
    flash.value = e.type === 'session-expired' ? 'sessionExpired' : null;
    navigate(loginUrl(), { replace: true });
  }
});

/** Operators, and the administrators of that structure, may edit its activities and capacities. */
export function canManageStructure(id: string): boolean {
  const u = me.value;
  if (!u) return false;
  return u.role === 'operator' || (u.structures ?? []).some((s) => s.id === id && s.role === 'admin');
}
