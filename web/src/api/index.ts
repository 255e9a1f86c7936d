// Every endpoint the app calls, typed. Pages import from here, never fetch() directly.
import { get, post, put, patch, del, rememberCsrf, upload } from './client';
import type {
  ApproveRequest, AuditPage, AuditVerify, CapacityHistory, CapacityType, CapacityUnit, DirActivity, DirActivityInput, DirCapacity,
  DirProfessional, DirSearch, DirSearchQuery, DirStructure, Enrolment, EnrolmentRequest, Favorite, LoginStep, Me, Portal, RppsEntry,
  SessionOpened, Structure, SyncPage, TotpEnrolled, TotpEnrolment,
  AccessLogPage, AlertInput, Attachment, BreakGlass, CircleMember, CircleMemberInput, CursorPage, EntryKind, IdentityDocument,
  InformedHow, MyPatient, NotebookEntry, PatientUpdate, NotebookInput, Patient, PatientAlert, PatientInput, PatientSearchQuery, PatientSummary,
  TimelineItem, TimelineKind, VitalsHistory,
  PscLinked, PscPending, PscRegistered, PscRegistration, PscStatus,
  Conversation, Message, MessageOptions, MessagePage, MessageReceipts, NewConversation,
} from './types';

export { ApiError, asApiError, isApiError, setUnauthenticatedHandler } from './client';
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
  // Pro Santé Connect: the login itself is a full navigation to pscStartUrl (the provider's page, then back).
  pscStatus: () => get<PscStatus>('/auth/psc', { quiet401: true }),
  pscStartUrl: '/api/v1/auth/psc/start',
  pscPending: () => get<PscPending>('/auth/psc/pending', { quiet401: true }),
  /** After the usual password + TOTP (cookie session): the account takes the link PSC proved. */
  pscLink: () => post<PscLinked>('/auth/psc/link', undefined, { quiet401: true }),
  pscRegister: (body: PscRegistration) => post<PscRegistered>('/auth/psc/register', body, { quiet401: true }),

  enrol: (body: EnrolmentRequest) => post<{ status: string }>('/enrolments', body),
  confirmEmail: (token: string) => post<LoginStep>('/enrolments/confirm-email', { token }),
  enrolments: (status = 'pending_approval') => get<{ items: Enrolment[] }>('/enrolments', { query: { status } }),
  approve: (id: string, body: ApproveRequest = {}) => post<Enrolment>(`/enrolments/${encodeURIComponent(id)}/approve`, body),
  reject: (id: string, reason: string) => post<unknown>(`/enrolments/${encodeURIComponent(id)}/reject`, { reason }),

  me: async (quiet = true) => { const me = await get<Me>('/me', { quiet401: quiet }); rememberCsrf(me.csrf_token); return me; },
  updateMe: (version: Me['version'], body: Partial<Pick<Me, 'first_name' | 'last_name' | 'phone' | 'specialty'>>) =>
    patch<Me>('/me', body, { headers: { 'If-Match': String(version) } }),
  portal: () => get<Portal>('/portal'),
  favorites: () => get<{ items: Favorite[] }>('/me/favorites'),
  // The offline store (offline/sync.ts): its key, the feed, and the revocation of every device's store.
  syncKey: () => get<{ key_id: string; key: string }>('/sync/key', { quiet401: true }),
  // The largest pages the server gives: on a mobile link each round trip costs more than the bytes.
  sync: (since: string) => get<SyncPage>('/sync', { query: { since, limit: 2000 }, quiet401: true }),
  revokeSyncKey: () => del<void>('/sync/key'),
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

  // Patients (docs/patients.md).
  myPatients: (cursor?: string | null, limit = 50) => get<CursorPage<MyPatient>>('/patients/mine', { query: { cursor, limit } }),
  searchPatients: (q: PatientSearchQuery, signal?: AbortSignal) =>
    get<{ items: PatientSummary[] }>('/patients', { query: q as Record<string, string | undefined>, signal }),
  createPatient: (body: PatientInput, key: string) => post<Patient>('/patients', body, { headers: { 'Idempotency-Key': key } }),
  patient: (id: string) => get<Patient>(`/patients/${P(id)}`),
  updatePatient: (p: Pick<Patient, 'id' | 'version'>, body: PatientUpdate) =>
    patch<Patient>(`/patients/${P(p.id)}`, body, { headers: { 'If-Match': String(p.version) } }),
  validateIdentity: (id: string, document: IdentityDocument) => post<Patient>(`/patients/${P(id)}/validate`, { document }),
  qualifyIdentity: (id: string) => post<Patient>(`/patients/${P(id)}/qualify`, {}),
  /** Operators only: the duplicate's circle, notebook, alerts and timeline move to `id`, which is returned. */
  mergePatient: (id: string, duplicateId: string) => post<Patient>(`/patients/${P(id)}/merge`, { duplicate_id: duplicateId }),
  breakGlass: (id: string, reason: string) => post<BreakGlass>(`/patients/${P(id)}/break-glass`, { reason }),
  accessLog: (id: string, before?: number | null, limit = 50) =>
    get<AccessLogPage>(`/patients/${P(id)}/access-log`, { query: { before, limit } }),

  circle: (id: string) => get<{ items: CircleMember[] }>(`/patients/${P(id)}/circle`),
  addMember: (id: string, body: CircleMemberInput, key: string) =>
    post<CircleMember>(`/patients/${P(id)}/circle`, body, { headers: { 'Idempotency-Key': key } }),
  updateMember: (id: string, m: Pick<CircleMember, 'id' | 'version'>, body: { role?: string; end?: string; referent?: true }) =>
    patch<CircleMember>(`/patients/${P(id)}/circle/${P(m.id)}`, body, { headers: { 'If-Match': String(m.version) } }),
  recordInformation: (id: string, memberId: string, how: InformedHow) =>
    post<CircleMember>(`/patients/${P(id)}/circle/${P(memberId)}/information`, { how }),
  recordOpposition: (id: string, memberId: string, how: InformedHow, reason?: string) =>
    post<CircleMember>(`/patients/${P(id)}/circle/${P(memberId)}/opposition`, reason ? { how, reason } : { how }),

  /** Each measure's history with the usual ranges; 403 for who may not see vital signs. */
  vitalsHistory: (id: string) => get<VitalsHistory>(`/patients/${P(id)}/vitals`),
  notebook: (id: string, q: { kind?: EntryKind | ''; cursor?: string | null; limit?: number } = {}) =>
    get<CursorPage<NotebookEntry>>(`/patients/${P(id)}/notebook`, { query: { ...q, limit: q.limit ?? 30 } }),
  writeEntry: (id: string, body: NotebookInput, key: string) =>
    post<NotebookEntry>(`/patients/${P(id)}/notebook`, body, { headers: { 'Idempotency-Key': key } }),
  correctEntry: (id: string, entry: Pick<NotebookEntry, 'id' | 'version'>, body: NotebookInput) =>
    post<NotebookEntry>(`/patients/${P(id)}/notebook/${P(entry.id)}/corrections`, body, { headers: { 'If-Match': String(entry.version) } }),
  uploadAttachment: (id: string, file: File, onProgress?: (sent: number, total: number) => void, signal?: AbortSignal) =>
    upload<Attachment>(`/patients/${P(id)}/attachments`, file, { query: { name: file.name }, onProgress, signal }),
  attachmentUrl: (id: string, attachmentId: string) => `/api/v1/patients/${P(id)}/attachments/${P(attachmentId)}`,

  patientAlerts: (id: string, state: 'open' | 'all' = 'all') => get<{ items: PatientAlert[] }>(`/patients/${P(id)}/alerts`, { query: { state } }),
  raiseAlert: (id: string, body: AlertInput, key: string) =>
    post<PatientAlert>(`/patients/${P(id)}/alerts`, body, { headers: { 'Idempotency-Key': key } }),
  acknowledgeAlert: (id: string, alertId: string) => post<PatientAlert>(`/patients/${P(id)}/alerts/${P(alertId)}/ack`, {}),
  conversations: () => get<{ items: Conversation[]; unread_total: number }>('/conversations'),
  conversation: (id: string) => get<Conversation>(`/conversations/${P(id)}`),
  newConversation: (body: NewConversation, key: string) =>
    post<Conversation>('/conversations', body, { headers: { 'Idempotency-Key': key } }),
  messages: (id: string, q: { before?: number; after?: number; limit?: number } = {}) =>
    get<MessagePage>(`/conversations/${P(id)}/messages`, { query: q }),
  /** `messageId` is chosen by the device: a resend (lost answer, outbox) returns the stored message. */
  sendMessage: (id: string, messageId: string, body: string, options: MessageOptions = {}) =>
    post<Message>(`/conversations/${P(id)}/messages`, { ...options, id: messageId, body }),
  /** The conversation of the patient's care circle, made on first use (403 for an emergency access). */
  patientConversation: (patientId: string) => post<Conversation>(`/patients/${P(patientId)}/conversation`),
  /** Who read my message (author only). */
  messageReceipts: (m: Pick<Message, 'id' | 'conversation_id'>) =>
    get<MessageReceipts>(`/conversations/${P(m.conversation_id)}/messages/${P(m.id)}/receipts`),
  /** The message as a transmission of the patient's notebook; a repeat gives the same entry. */
  copyMessage: (m: Pick<Message, 'id' | 'conversation_id'>) =>
    post<NotebookEntry>(`/conversations/${P(m.conversation_id)}/messages/${P(m.id)}/copy`),
  /** Words found in my conversations (accents ignored), the most recent first. */
  searchMessages: (q: string, signal?: AbortSignal) => get<{ items: Message[] }>('/messages/search', { query: { q, limit: 50 }, signal }),
  editMessage: (m: Message, body: string) =>
    patch<Message>(`/conversations/${P(m.conversation_id)}/messages/${P(m.id)}`, { body }, { headers: { 'If-Match': String(m.version) } }),
  deleteMessage: (m: Message) =>
    del<Message>(`/conversations/${P(m.conversation_id)}/messages/${P(m.id)}`, { headers: { 'If-Match': String(m.version) } }),
  readConversation: (id: string, seq: number) =>
    post<{ conversation_id: string; read_seq: number; unread: number }>(`/conversations/${P(id)}/read`, { seq }),
  /** A device of mine received the messages up to `seq` ("distribué" for their authors). */
  deliveredConversation: (id: string, seq: number) =>
    post<{ conversation_id: string; delivered_seq: number }>(`/conversations/${P(id)}/delivered`, { seq }),
  openAlerts: () => get<{ items: PatientAlert[]; count?: number }>('/alerts', { query: { state: 'open' } }),

  timeline: (id: string, q: { kind?: TimelineKind | ''; cursor?: string | null; limit?: number } = {}) =>
    get<CursorPage<TimelineItem>>(`/patients/${P(id)}/timeline`, { query: { ...q, limit: q.limit ?? 30 } }),
};

function P(s: string) { return encodeURIComponent(s); }

/** A fresh idempotency key (one per thing the user means to create; replays reuse it). */
export function newKey(): string {
  return (crypto as Crypto & { randomUUID?: () => string }).randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
