// Every endpoint the app calls, typed. Pages import from here, never fetch() directly.
import { get, post, put, patch, del, rememberCsrf } from './client';
import type {
  AuditPage, AuditVerify, CapacityHistory, CapacityType, CapacityUnit, DirActivity, DirActivityInput, DirCapacity,
  DirProfessional, DirSearch, DirSearchQuery, DirStructure, Enrolment, EnrolmentRequest, Favorite, LoginStep, Me, Portal, Role, RppsEntry,
  SessionOpened, Structure, TotpEnrolled, TotpEnrolment,
} from './types';

export { ApiError, isApiError, setUnauthenticatedHandler } from './client';
export type * from './types';

export const api = {
  login: (email: string, password: string) => post<LoginStep>('/auth/login', { email, password }, { quiet401: true }),
  totp: (code: string) => post<SessionOpened>('/auth/totp', { code }, { quiet401: true }),
  totpEnrolment: () => get<TotpEnrolment>('/auth/totp/enrol', { quiet401: true }),
  totpEnrol: (code: string) => post<TotpEnrolled>('/auth/totp/enrol', { code }, { quiet401: true }),
  logout: () => post<void>('/auth/logout', undefined, { quiet401: true }),
  logoutAll: () => post<void>('/auth/logout-all'),
  passwordReset: (email: string) => post<void>('/auth/password-reset', { email }),
  passwordResetConfirm: (token: string, password: string) => post<void>('/auth/password-reset/confirm', { token, password }),

  enrol: (body: EnrolmentRequest) => post<{ status: string }>('/enrolments', body),
  confirmEmail: (token: string) => post<LoginStep>('/enrolments/confirm-email', { token }),
  enrolments: (status = 'pending_approval') => get<{ items: Enrolment[] }>('/enrolments', { query: { status } }),
  approve: (id: string, role?: Role) => post<Me>(`/enrolments/${encodeURIComponent(id)}/approve`, role ? { role } : {}),
  reject: (id: string, reason: string) => post<unknown>(`/enrolments/${encodeURIComponent(id)}/reject`, { reason }),

  me: async (quiet = true) => { const me = await get<Me>('/me', { quiet401: quiet }); rememberCsrf(me.csrf_token); return me; },
  updateMe: (version: Me['version'], body: Partial<Pick<Me, 'first_name' | 'last_name' | 'phone' | 'specialty'>>) =>
    patch<Me>('/me', body, { headers: { 'If-Match': String(version) } }),
  portal: () => get<Portal>('/portal'),
  favorites: () => get<{ items: Favorite[] }>('/me/favorites'),
  addFavorite: (label: string, url: string, key: string) => post<Favorite>('/me/favorites', { label, url }, { headers: { 'Idempotency-Key': key } }),
  removeFavorite: (id: string) => del<void>(`/me/favorites/${encodeURIComponent(id)}`),

  rppsLookup: (number: string, signal?: AbortSignal) =>
    get<RppsEntry>(`/directory/rpps/${encodeURIComponent(number)}`, { quiet401: true, signal }),
  structures: (q: string, signal?: AbortSignal) => get<{ items: Structure[] }>('/structures', { query: { q }, signal }),

  directorySearch: (q: DirSearchQuery, signal?: AbortSignal) =>
    get<DirSearch>('/directory/search', { query: q as Record<string, string | number | undefined>, signal }),
  professional: (id: string) => get<DirProfessional>(`/directory/professionals/${encodeURIComponent(id)}`),
  directoryStructure: (id: string) => get<DirStructure>(`/directory/structures/${encodeURIComponent(id)}`),
  addActivity: (id: string, body: DirActivityInput) =>
    post<DirActivity>(`/directory/structures/${encodeURIComponent(id)}/activities`, body),
  setCapacity: (id: string, activityId: string, type: CapacityType, count: number, unit: CapacityUnit) =>
    put<DirCapacity>(`/directory/structures/${encodeURIComponent(id)}/activities/${encodeURIComponent(activityId)}/capacities/${type}`, { count, unit }),
  capacityHistory: (id: string, activityId: string) =>
    get<CapacityHistory>(`/directory/structures/${encodeURIComponent(id)}/activities/${encodeURIComponent(activityId)}/history`),

  audit: (q: { action?: string; actor?: string; outcome?: string; before?: number | null; limit?: number }) =>
    get<AuditPage>('/audit', { query: { ...q, limit: q.limit ?? 50 } }),
  auditVerify: () => get<AuditVerify>('/audit/verify'),
};
