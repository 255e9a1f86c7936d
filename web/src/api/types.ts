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
