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
  /** The directory entry found by the RPPS number at sign-up, if any. */
  professional_id?: string | null;
  phone: string | null;
  structures: { id: string; name: string; role?: string }[];
  version: number | string;
  csrf_token?: string;
}

export interface LoginStep { next: 'totp' | 'totp_enrol'; pending_token: string; csrf_token: string }
export interface SessionOpened { token: string; csrf_token: string; account: Me }
export interface TotpEnrolment { secret: string; otpauth_uri: string }
export interface TotpEnrolled {
  recovery_codes: string[];
  status: 'pending_approval' | 'active';
  token?: string;
  csrf_token?: string;
  account?: Me;
}

export interface Structure { id: string; name: string; kind?: string; commune?: string; finess?: string }

export interface EnrolmentRequest {
  email: string; password: string; first_name: string; last_name: string;
  profession_code: string; profession_label: string;
  specialty?: string; rpps?: string; phone?: string;
  structure_id?: string; structure_proposal?: { name: string; commune: string };
}

export interface Enrolment {
  id: string; email: string; first_name: string; last_name: string;
  profession_code: string; profession_label: string; specialty: string | null; rpps: string | null;
  status: string; created_at: string;
  structures: { id: string; name: string; proposed: boolean }[];
}

export interface PortalService { key: string; available: boolean; count: number | null }
export interface Portal { services: PortalService[]; counters: { pending_enrolments: number; favorites: number } }

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
  phone: string | null; email: string | null; lat: number | null; lon: number | null;
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
  kind: 'professional'; id: string; id_type: 'RPPS' | 'ADELI'; national_id: string; civility: string | null;
  first_name: string; last_name: string; profession_code: string | null; profession_label: string | null;
  specialties: string[]; practice_modes: string[]; active: boolean; activities: ProActivity[];
}
export interface DirSearchItem {
  kind: 'professional' | 'structure'; id: string; name: string | null; first_name: string | null; last_name: string | null;
  civility: string | null; profession_code: string | null; profession_label: string | null; specialty: string | null;
  category_label: string | null; commune: string | null; postal_code: string | null; departement: string | null;
  distance_km?: number | null; score?: number;
}
export interface DirSearch {
  total: number; page: number; per_page: number; items: DirSearchItem[];
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
