// Shapes of the API v1 (docs/api.md).
export type Role = 'operator' | 'structure_admin' | 'coordinator' | 'professional';

export interface FieldError { field: string; message: string }

export interface Me {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  role: Role;
  status: string;
  profession_code: string;
  profession_label: string;
  specialty: string | null;
  rpps: string | null;
  /** The directory entry this account is proven to be (confirmed by an approver, Pro Santé Connect or an operator). */
  professional_id?: string | null;
  /** How that link was proven. */
  professional_link?: ProfessionalLink | null;
  phone: string | null;
  structures: { id: string; name: string; role?: string }[];
  version: number | string;
  csrf_token?: string;
}

export interface LoginStep { next: 'totp' | 'totp_enrol'; pending_token: string; csrf_token: string }
/** The browser's session is its HttpOnly cookie: the server gives `token` only to Bearer (API) clients. */
export interface SessionOpened { token?: string; csrf_token: string; account: Me }
export interface TotpEnrolment { secret: string; otpauth_uri: string }
export interface TotpEnrolled {
  recovery_codes: string[];
  status: 'pending_approval' | 'active';
  token?: string;
  csrf_token?: string;
  account?: Me;
}

export interface Structure { id: string; name: string; kind?: string; commune?: string; finess?: string }

/**
 * POST /enrolments. With `rpps`, names and profession are the directory entry's (what is sent here is kept as
 * `declared` for the approver); without, `profession_code` is one of the closed list (AUTRE needs a label).
 */
export interface EnrolmentRequest {
  email: string; password: string; first_name: string; last_name: string;
  profession_code?: string; profession_label?: string;
  specialty?: string; rpps?: string; phone?: string;
  structure_id?: string; structure_proposal?: { name: string; commune: string };
}

export type ProfessionalLink = 'confirmed' | 'psc' | 'operator';

/** Pro Santé Connect (docs/operations.md): GET /auth/psc says whether the login page offers it. */
export interface PscStatus { enabled: boolean }
/**
 * GET /auth/psc/pending: the identity PSC proved, waiting (30 min, HttpOnly cookie) for "link" or "create", with
 * the directory entry of its RPPS number (null when the number is not in the directory yet) and how many
 * structures of the directory its FINESS sites prove.
 */
export interface PscPending {
  rpps: string; given_name: string; family_name: string; civility: string; profession_code: string;
  directory: { id: string; civility: string | null; first_name: string; last_name: string;
    profession_label: string | null; specialty: string | null } | null;
  structures_proven: number;
}
/** POST /auth/psc/register: the account is made from the directory entry; only these are asked. */
export interface PscRegistration {
  email: string; phone?: string; structure_id?: string; structure_proposal?: { name: string; commune: string };
}
/** 200 active (the cookie session is set) or 202 pending_approval (nothing to log into yet). */
export type PscRegistered = { status: 'active'; csrf_token: string; account: Me } | { status: 'pending_approval' };
export interface PscLinked { status: 'linked'; csrf_token: string; account: Me }

/** The directory entry an applicant claimed by typing its RPPS number (only a claim until an approver confirms it). */
export interface ClaimedProfessional {
  id: string; rpps: string; civility: string | null; first_name: string; last_name: string;
  profession_code: string | null; profession_label: string | null; specialty: string | null;
}
/** What the applicant typed when the names and profession were taken from the directory entry. */
export interface DeclaredIdentity {
  first_name: string; last_name: string; profession_code: string; profession_label: string;
}

export interface Enrolment {
  id: string; email: string; first_name: string; last_name: string;
  profession_code: string; profession_label: string; specialty: string | null; rpps: string | null;
  status: string; created_at: string;
  structures: { id: string; name: string; proposed: boolean }[];
  professional_id?: string | null;
  professional_link?: ProfessionalLink | null;
  claimed_professional?: ClaimedProfessional | null;
  declared?: DeclaredIdentity | null;
}

/** POST /enrolments/{id}/approve: `confirm_professional` is required when the enrolment has a claimed_professional. */
export interface ApproveRequest { role?: Role; confirm_professional?: boolean }

export interface PortalService { key: string; available: boolean; count: number | null }
export interface Portal {
  services: PortalService[];
  /** followed_patients: the patients "Mes patients" lists (absent on older servers). */
  counters: { pending_enrolments: number; favorites: number; followed_patients?: number; unread_messages?: number };
  /** Alerts not yet acknowledged by the caller (docs/patients.md); absent on older servers. */
  open_alerts?: number;
}

export interface Favorite { id: string; label: string; url: string; created_at: string }

export interface AuditEvent {
  seq: number; at: string; actor_id: string | null; actor_email: string | null; action: string;
  target_type: string | null; target_id: string | null; ip: string | null; outcome: string; detail: unknown;
}
export interface AuditPage { items: AuditEvent[]; next_before: number | null }
export interface AuditVerify { ok: boolean; checked: number; first_bad_seq: number | null; problem: string | null }

// Directory (docs/directory.md).
export type CapacityType = 'installee' | 'disponible' | 'occupee' | 'reservee' | 'fermee' | 'supplementaire';
export type CapacityUnit = 'lits' | 'places';
export interface DirCapacity {
  type: CapacityType; count: number; unit: CapacityUnit;
  updated_at: string; updated_by: string | null;
  /** First and last name of the account that updated it; null for the demo or an import. */
  updated_by_name?: string | null;
  age_seconds: number | null; stale: boolean;
}
export interface DirActivity {
  id: string; field: string; care_mode: string; label: string;
  public_min_age: number | null; public_max_age: number | null; area: string | null;
  version: number | string; capacities: DirCapacity[];
}
export interface DirActivityInput {
  field: string; care_mode: string; label: string;
  public_min_age?: number; public_max_age?: number; area?: string;
}
export interface DirStructure {
  kind: 'structure'; id: string; finess: string | null; finess_ej: string | null; siret: string | null;
  name: string; long_name: string | null; category_code: string | null; category_label: string | null;
  address: string | null; postal_code: string | null; commune: string | null; departement: string | null;
  phone: string | null; email: string | null; mssante?: string | null; lat: number | null; lon: number | null;
  source: 'finess' | 'local'; active: boolean;
  activities: DirActivity[];
  professionals: { id: string; first_name: string; last_name: string; profession_label: string | null }[];
}
export interface ProActivity {
  structure_id: string | null; site_name: string | null; address: string | null; postal_code: string | null;
  commune: string | null; commune_code: string | null; departement: string | null; phone: string | null;
  email: string | null; practice_mode: string | null; finess_site: string | null; siret: string | null;
}
export interface DirProfessional {
  kind: 'professional'; id: string; id_type: 'RPPS' | 'ADELI' | null; national_id: string | null; civility: string | null;
  /** The RPPS number in its one shown form: 11 digits (null for ADELI and local entries without one). */
  rpps: string | null; adeli: string | null; mssante: string | null;
  first_name: string; last_name: string; profession_code: string | null; profession_label: string | null;
  specialties: string[]; practice_modes: string[]; active: boolean; activities: ProActivity[];
}
export interface DirSearchItem {
  kind: 'professional' | 'structure'; id: string; name: string | null; first_name: string | null; last_name: string | null;
  civility: string | null; profession_code: string | null; profession_label: string | null; specialty: string | null;
  category_label: string | null; commune: string | null; postal_code: string | null; departement: string | null;
  distance_km?: number | null; score?: number;
  /** A professional with an active Cordée account: can be reached (and see a care circle) in Cordée. */
  has_account?: boolean;
}
export interface DirSearch {
  total: number; total_capped?: boolean; page: number; per_page: number; items: DirSearchItem[];
  /** The words of the query the directory's vocabulary knew, and what it took them to mean. */
  understood?: { words: string; meanings: string[] }[];
  facets?: {
    kind?: { professional?: number; structure?: number };
    profession?: { code: string; label: string; count: number }[];
    departement?: { code: string; count: number }[];
    practice_mode?: { code: string; count: number }[];
  };
}
export interface DirSearchQuery {
  q?: string; kind?: string; profession?: string; specialty?: string; departement?: string; commune?: string;
  postal_code?: string; practice_mode?: string; lat?: string; lon?: string; radius_km?: string; has_capacity?: string;
  page?: number; per_page?: number;
}
export interface CapacityHistory {
  items: { type: CapacityType; count: number; unit: CapacityUnit; at: string; by: string | null; by_name?: string | null }[];
}
/** GET /directory/rpps/{number}: the national entry of a professional, for the sign-up form (no session). */
export interface RppsEntry {
  professional_id: string; civility?: string | null; first_name: string; last_name: string;
  profession_code: string; profession_label: string; specialty?: string | null;
  sites: { structure_id?: string | null; site_name?: string | null; commune?: string | null }[];
}

// Patients, care circles, notebook, alerts, timeline, access log (docs/patients.md).
export type IdentityStatus = 'provisoire' | 'recuperee' | 'validee' | 'qualifiee';
export type Sex = 'F' | 'M' | 'I';
export type AccessVia = 'member' | 'break_glass' | 'operator';
export interface PatientFlags { douteuse: boolean; fictive: boolean; homonyme: boolean }
export interface PatientAccess {
  via: AccessVia; clinical: boolean; health: boolean; referent: boolean; break_glass_until: string | null;
}
export interface Patient {
  id: string; birth_name: string; birth_first_names: string; first_name: string;
  used_name: string | null; used_first_name: string | null;
  /** YYYY-MM-DD, with 00 for an unknown day or month. */
  birth_date: string; sex: Sex; birthplace_code: string | null;
  identity_status: IdentityStatus; flags: PatientFlags;
  /** Only when identity_status is qualifiee. */
  ins: { matricule: string; oid: string; kind: string } | null;
  phone: string | null; address: string | null; version: number | string; created_at: string;
  status: 'active' | 'merged'; merged_into: string | null;
  access: PatientAccess;
}
export interface PatientInput {
  birth_name: string; birth_first_names: string; first_name?: string; used_name?: string; used_first_name?: string;
  birth_date: string; sex: Sex; birthplace_code?: string; identity_status?: 'provisoire' | 'recuperee';
  flags?: Partial<PatientFlags>; phone?: string; address?: string; creator_role?: CircleRole;
  confirm_not_duplicate?: boolean;
}
/** PATCH /patients/{id}: strict traits only while provisoire or recuperee. */
export interface PatientUpdate {
  used_name?: string; used_first_name?: string; phone?: string; address?: string; flags?: Partial<PatientFlags>;
  birth_name?: string; birth_first_names?: string; first_name?: string; birth_date?: string; sex?: Sex; birthplace_code?: string;
}
export interface DuplicateCandidate {
  id: string; birth_name: string; used_name: string | null; first_name: string; birth_date: string; sex: Sex;
  birthplace_code: string | null; access: 'member' | 'none'; reason: 'ins' | 'traits';
}
export interface PatientSummary {
  id: string; birth_name: string; used_name: string | null; first_name: string; birth_date: string; sex: Sex;
  identity_status: IdentityStatus; access: AccessVia | 'none';
}
export interface MyPatient extends PatientSummary {
  role: CircleRole | string; referent: boolean; last_activity_at: string | null; unread: number; open_alerts: number;
  /** The commune of the patient's address (null when the address names none; absent on older servers). */
  commune?: string | null;
}
export interface PatientSearchQuery { q?: string; birth_date?: string; ins?: string }
export type IdentityDocument = 'cni' | 'passeport' | 'titre_sejour' | 'livret_famille' | 'acte_naissance';

export type CircleRole = 'medecin_traitant' | 'medecin_specialiste' | 'infirmier' | 'pharmacien' | 'kinesitherapeute'
  | 'sage_femme' | 'aide_soignant' | 'aide_a_domicile' | 'assistante_sociale' | 'coordinateur' | 'psychologue'
  | 'structure' | 'proche_aidant' | 'autre';
export type InformedHow = 'oral' | 'ecrit' | 'courrier' | 'autre';
export interface CircleMember {
  id: string; kind: 'account' | 'professional' | 'structure' | 'contact';
  account_id: string | null; professional_id: string | null; structure_id: string | null;
  display_name: string; profession: string | null; role: CircleRole | string; referent: boolean;
  start: string; end: string | null; status: 'active' | 'ended' | 'future' | 'opposed';
  informed: { at: string; by: string | null; how: InformedHow | string } | null;
  opposition: { at: string; by: string | null; how: InformedHow | string; reason: string | null } | null;
  contact?: { name: string; phone?: string | null; relation?: string | null } | null;
  added_by: string | null; added_at: string; version: number | string;
}
export interface CircleMemberInput {
  account_id?: string; professional_id?: string; structure_id?: string;
  contact?: { name: string; phone?: string; relation?: string };
  role: CircleRole; start?: string; end?: string; referent?: boolean;
}

export type EntryKind = 'observation' | 'transmission' | 'visit' | 'event' | 'document';
export type Visibility = 'circle' | 'health' | 'structure';
export type VitalKey = 'systolic' | 'diastolic' | 'heart_rate' | 'temperature' | 'spo2' | 'weight' | 'glycemia' | 'pain';
export type Vitals = Partial<Record<VitalKey, number>>;
/** The values outside the territory's usual ranges, flagged by the server ({} for who may not see vital signs). */
export type VitalFlags = Partial<Record<VitalKey, 'high' | 'low'>>;
export interface VitalsHistory {
  series: Record<VitalKey, { at: string; value: number; entry_id: string }[]>;
  ranges: Partial<Record<VitalKey, { low: number; high: number }>>;
}
export interface Attachment { id: string; name: string; mime: string; size: number }
export interface NotebookEntry {
  id: string; kind: EntryKind; visibility: Visibility;
  author: { account_id: string; name: string; profession: string | null; structure_id: string | null; structure_name: string | null };
  fact_at: string; written_at: string; body: string; vitals: Vitals | null; vitals_flags: VitalFlags; attachments: Attachment[];
  version: number; supersedes: string | null;
  previous: { id: string; body: string; vitals: Vitals | null; vitals_flags: VitalFlags; written_at: string; version: number }[];
}
export interface NotebookInput {
  kind?: EntryKind; visibility?: Visibility; body: string; fact_at?: string; vitals?: Vitals; attachments?: string[];
  structure_id?: string;
}
export interface CursorPage<T> { items: T[]; next_cursor: string | null }

export type AlertKind = 'chute' | 'aggravation' | 'hospitalisation' | 'visite_manquee' | 'bris_de_glace' | 'autre';
export type AlertSeverity = 'info' | 'importante' | 'urgente';
export interface PatientAlert {
  id: string; kind: AlertKind; severity: AlertSeverity; body: string; source: 'member' | 'rule';
  raised_by: { account_id: string | null; name: string } | null; created_at: string;
  recipients: { account_id: string; name: string; acknowledged_at: string | null }[];
  for_me: boolean; acknowledged_by_me: boolean; patient: { id: string; name: string };
  patient_id?: string;
}
export interface AlertInput { kind: AlertKind; severity?: AlertSeverity; body: string; recipients?: string[] }

export type TimelineKind = 'notebook' | 'alert' | 'circle' | 'identity' | 'access';
export interface TimelineItem {
  id: string; at: string; kind: TimelineKind | string; action: string; author: { account_id: string | null; name: string } | null;
  /** What happened, as structured facts per kind (e.g. notebook: entry_kind, excerpt, version, has_vitals). */
  summary: string | Record<string, unknown> | null; ref_id: string | null; visibility: Visibility | null;
}
export interface BreakGlass { id: string; until: string; reason: string }
export interface AccessLogItem {
  seq: number; at: string; actor: { account_id: string | null; name: string; profession: string | null } | null;
  action: string; outcome: string; via: AccessVia | string | null; reason: string | null;
}
export interface AccessLogPage { items: AccessLogItem[]; next_before: number | null }

/** A page of the offline sync feed (GET /api/v1/sync). */
export interface SyncChange {
  collection: string;
  key: string;
  patient_id: string | null;
  op: 'put' | 'delete';
  value?: unknown;
  reason?: 'access_ended' | 'merged' | 'hidden' | 'deleted';
}
export interface SyncPage { changes: SyncChange[]; cursor: string; more: boolean; key_id: string }

// --- messaging (docs/messaging.md) -----------------------------------------------------------------
export interface ConversationMember {
  account_id: string; first_name: string; last_name: string; profession: string; read_seq: number; active: boolean;
  /** The last message one of the member's devices received (at least read_seq). */
  delivered_seq?: number;
}
export interface Message {
  id: string; conversation_id: string; seq: number; author_id: string; body: string; deleted: boolean; edited: boolean;
  created_at: string; version: number; reply_to: string | null;
  /** Members other than the author who may read it, and how many of them have ("lu par 3 sur 5"). */
  recipients?: number; read_by?: number; delivered_to?: number;
  /** 'health': for the health professionals of the care circle only. */
  visibility?: 'circle' | 'health';
  /** The patient the message is about (each reader opens it with their own access). */
  patient_id?: string | null;
  mentions?: string[];
  /** Escalation 0: not yet; 1: the referent and coordinators were told; 2: the on-call list was. */
  urgent?: { deadline: string; escalation: 0 | 1 | 2 } | null;
}
/** POST /conversations/{id}/messages: what the composer may add to the text. */
export interface MessageOptions {
  reply_to?: string; visibility?: 'circle' | 'health'; urgent_until?: string; mentions?: string[]; patient_id?: string;
}
export interface MessageReceipts {
  message_id: string; recipients: number; read_by: number;
  items: { account_id: string; first_name: string; last_name: string; profession: string; delivered: boolean; read: boolean }[];
}
export interface Conversation {
  id: string; kind: 'direct' | 'group' | 'patient'; title: string;
  /** The patient of a 'patient' conversation (its members are the accounts of the care circle). */
  patient_id?: string | null;
  /** I may write for the health professionals only (GET /conversations/{id}, patient conversation). */
  may_restrict?: boolean; created_by: string; created_at: string; last_seq: number;
  last_at: string; members: ConversationMember[];
  /** What I call it: the group's title or the other person's name. */
  name?: string; unread?: number; read_seq?: number; last_message?: Message | null; active?: boolean;
}
export interface NewConversation { kind: 'direct' | 'group'; title?: string; member_ids?: string[]; professional_ids?: string[] }
export interface MessagePage { items: Message[]; read_seq: number; has_more: boolean }
/** One frame of GET /live. */
export type LiveFrame =
  | { type: 'hello' | 'reset'; seq: number }
  | { type: 'event'; seq: number; kind: string; at: string; data: any }
  | { type: 'pong' | 'error'; problem?: string };
