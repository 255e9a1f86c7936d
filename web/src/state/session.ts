// Who is logged in: undefined while the first GET /me is on its way, null when nobody is.
import { signal, computed } from '@preact/signals';
import { api, isApiError, setUnauthenticatedHandler, type Me } from '../api';
import { forgetCsrf } from '../api/client';
import { navigate, loginUrl } from '../router';

export const me = signal<Me | null | undefined>(undefined);
export const flash = signal<string | null>(null);

export const isApprover = computed(() => me.value?.role === 'operator' || me.value?.role === 'structure_admin');
export const isOperator = computed(() => me.value?.role === 'operator');

export async function loadMe(): Promise<Me | null> {
  try {
    me.value = await api.me();
  } catch (e) {
    if (isApiError(e) && e.status === 401) me.value = null;
    else if (me.value === undefined) me.value = null;
  }
  return me.value ?? null;
}

export function sessionOpened(account: Me) { me.value = account; }

export async function logout() {
  try { await api.logout(); } catch { /* the session is gone either way */ }
  me.value = null;
  forgetCsrf();
  flash.value = 'loggedOut';
  navigate('/connexion');
}

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
