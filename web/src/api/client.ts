// The one HTTP client of the app: JSON in and out, the session cookie (same origin), the CSRF header
// on every non-GET request, and RFC 9457 problem+json mapped to ApiError with French texts.
import { t } from '../i18n';
import type { FieldError } from './types';

const BASE = '/api/v1';
let lastCsrf: string | null = null;

export function rememberCsrf(token: string | null | undefined) {
  if (token) lastCsrf = token;
}
export function forgetCsrf() { lastCsrf = null; }

function csrfCookie(): string | null {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === '__Host-cordee_csrf' && v.length) return decodeURIComponent(v.join('='));
  }
  return null;
}

export class ApiError extends Error {
  readonly status: number;
  /** Slug after `urn:cordee:problem:` (or `network`, `unknown`). */
  readonly type: string;
  readonly title: string;
  readonly detail: string | null;
  readonly errors: FieldError[];
  readonly current: unknown;
  /** Seconds to wait, from Retry-After (429). */
  readonly retryAfter: number | null;
  readonly requestId: string | null;
  /** The whole problem body, for problem types with extra members (e.g. `candidates` of possible-duplicate). */
  readonly body: Record<string, unknown> | null;

  constructor(init: { status: number; type: string; title: string; detail?: string | null; errors?: FieldError[];
    current?: unknown; retryAfter?: number | null; requestId?: string | null; body?: Record<string, unknown> | null }) {
    super(init.title);
    this.status = init.status;
    this.type = init.type;
    this.title = init.title;
    this.detail = init.detail ?? null;
    this.errors = init.errors ?? [];
    this.current = init.current;
    this.retryAfter = init.retryAfter ?? null;
    this.requestId = init.requestId ?? null;
    this.body = init.body ?? null;
  }
  /** The message of the error tied to `field`, if the server named it. */
  fieldError(field: string): string | undefined {
    return this.errors.find((e) => e.field === field)?.message;
  }
}

export function isApiError(e: unknown, type?: string): e is ApiError {
  return e instanceof ApiError && (type === undefined || e.type === type);
}

/** What a failed call threw, as a problem to show: the server's, or "unknown" for anything else (network, a bug). */
export function asApiError(e: unknown): ApiError {
  return isApiError(e) ? e : new ApiError({ status: 0, type: 'unknown', title: t.problems.unknown });
}

/** Called on 401 unauthenticated/session-expired so that the app can return to the login page. */
let onUnauthenticated: ((e: ApiError) => void) | null = null;
export function setUnauthenticatedHandler(fn: (e: ApiError) => void) { onUnauthenticated = fn; }

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | null | undefined>;
  /** Do not call the global 401 handler (login steps handle their own 401s). */
  quiet401?: boolean;
  signal?: AbortSignal;
}

async function toError(res: Response): Promise<ApiError> {
  let body: any = null;
  const text = await res.text().catch(() => '');
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  const rawType: string = typeof body?.type === 'string' ? body.type : '';
  const slug = rawType.startsWith('urn:cordee:problem:') ? rawType.slice('urn:cordee:problem:'.length) : (rawType || 'unknown');
  const ra = Number(res.headers.get('Retry-After'));
  return new ApiError({
    status: res.status,
    type: slug,
    title: t.problems.titles[slug] ?? (typeof body?.title === 'string' ? body.title : t.problems.unknown),
    detail: typeof body?.detail === 'string' ? body.detail : null,
    errors: Array.isArray(body?.errors) ? body.errors.filter((e: any) => e && typeof e.field === 'string')
      .map((e: any) => ({ field: e.field, message: String(e.message ?? '') })) : [],
    current: body?.current,
    retryAfter: Number.isFinite(ra) && ra > 0 ? ra : null,
    requestId: typeof body?.request_id === 'string' ? body.request_id : null,
    body: body && typeof body === 'object' && !Array.isArray(body) ? body : null,
  });
}

/** The API address of `path` with the query's non-empty values. */
function urlOf(path: string, query?: RequestOptions['query']): string {
  let url = BASE + path;
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    const s = q.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  return url;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const url = urlOf(path, opts.query);
  const send = async (csrf: string | null) => {
    const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...opts.headers };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
    return fetch(url, {
      method, headers, credentials: 'same-origin', signal: opts.signal,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  };
  let res: Response;
  try {
    const first = csrfCookie() ?? lastCsrf;
    res = await send(first);
    // The readable cookie and the last token from a body can disagree just after a session change:
    // retry once with the other one.
    if (res.status === 403 && method !== 'GET' && lastCsrf && lastCsrf !== first) {
      const peek = await res.clone().json().catch(() => null);
      if (peek?.type === 'urn:cordee:problem:csrf') res = await send(lastCsrf);
    }
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new ApiError({ status: 0, type: 'network', title: t.problems.network, detail: t.problems.networkDetail });
  }
  if (!res.ok) {
    const err = await toError(res);
    if (res.status === 401 && !opts.quiet401 && (err.type === 'unauthenticated' || err.type === 'session-expired')) {
      onUnauthenticated?.(err);
    }
    throw err;
  }
  if (res.status === 204 || res.status === 202 && res.headers.get('Content-Length') === '0') return undefined as T;
  const text = await res.text();
  if (!text) return undefined as T;
  const data = JSON.parse(text);
  if (data && typeof data === 'object' && typeof data.csrf_token === 'string') rememberCsrf(data.csrf_token);
  return data as T;
}

export const get = <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts);
export const post = <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, body });
export const put = <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, { ...opts, body });
export const patch = <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, { ...opts, body });
export const del = <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts);

/**
 * Sends a file as the raw request body (no JSON), with upload progress: fetch() cannot report it, so this
 * one call uses XMLHttpRequest. Same cookie, CSRF header and problem+json mapping as request().
 */
export function upload<T>(path: string, file: Blob, opts: { query?: RequestOptions['query']; onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal } = {}): Promise<T> {
  const url = urlOf(path, opts.query);
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    const csrf = csrfCookie() ?? lastCsrf;
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) opts.onProgress?.(e.loaded, e.total); };
    xhr.onload = async () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try { resolve((xhr.responseText ? JSON.parse(xhr.responseText) : undefined) as T); }
        catch { reject(new ApiError({ status: xhr.status, type: 'unknown', title: t.problems.unknown })); }
        return;
      }
      const headers = new Headers();
      const ra = xhr.getResponseHeader('Retry-After');
      if (ra) headers.set('Retry-After', ra);
      const err = await toError(new Response(xhr.responseText, { status: xhr.status < 200 ? 500 : xhr.status, headers }));
      if (xhr.status === 401 && (err.type === 'unauthenticated' || err.type === 'session-expired')) onUnauthenticated?.(err);
      reject(err);
    };
    xhr.onerror = () => reject(new ApiError({ status: 0, type: 'network', title: t.problems.network, detail: t.problems.networkDetail }));
    xhr.onabort = () => reject(new DOMException('Aborted', 'AbortError'));
    opts.signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}
