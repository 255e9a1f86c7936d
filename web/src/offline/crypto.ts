// The offline store's encryption (WebCrypto). The key comes from the server (GET /api/v1/sync/key, after login); on
// the device it exists only in memory (a non-extractable CryptoKey) and, at rest, wrapped under a key derived from the
// device code (PBKDF2-SHA-256, 600,000 iterations, random salt) — never in clear beside the data
// (docs/architecture.md, "Offline").
export const PBKDF2_ITERATIONS = 600_000;

const enc = new TextEncoder(), dec = new TextDecoder();

export function fromBase64Url(s: string): Uint8Array {
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

export function importStoreKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw as BufferSource, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

export interface Sealed { iv: Uint8Array; data: ArrayBuffer }

export async function seal(key: CryptoKey, value: unknown): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv as BufferSource }, key, enc.encode(JSON.stringify(value)));
  return { iv, data };
}

export async function open<T>(key: CryptoKey, s: Sealed): Promise<T> {
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: s.iv as BufferSource }, key, s.data);
  return JSON.parse(dec.decode(plain)) as T;
}

/** The store key wrapped under the device code, as it rests in IndexedDB. */
export interface WrappedKey { salt: Uint8Array; iv: Uint8Array; wrapped: ArrayBuffer; iterations: number }

async function codeKey(code: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', enc.encode(code), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations }, base,
    { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

export async function wrapWithCode(raw: Uint8Array, code: string): Promise<WrappedKey> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const k = await codeKey(code, salt, PBKDF2_ITERATIONS);
  const wrapped = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv as BufferSource }, k, raw as BufferSource);
  return { salt, iv, wrapped, iterations: PBKDF2_ITERATIONS };
}

/** The store key, or null when the code is wrong (AES-GCM refuses to open what another key sealed). */
export async function unwrapWithCode(w: WrappedKey, code: string): Promise<CryptoKey | null> {
  try {
    const k = await codeKey(code, w.salt, w.iterations);
    const raw = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: w.iv as BufferSource }, k, w.wrapped));
    const key = await importStoreKey(raw);
    raw.fill(0);
    return key;
  } catch {
    return null;
  }
}
