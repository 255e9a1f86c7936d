// Notebook entries written without network wait on this device and are sent again, oldest first, with the
// idempotency key they were first sent with: a nurse at a home visit with no signal writes the transmission
// now, and it reaches the circle when the phone finds the network. The server answers a replayed key with the
// first result, so an entry whose answer was lost on the way is never written twice (DESIGN.md §4).
//
// Kept in IndexedDB (survives a reload or a closed tab; never sent anywhere but to our API), per account:
// another person logging in on the same phone neither sees nor sends them, and an explicit logout deletes them.
import { signal } from '@preact/signals';
import { api, isApiError, type NotebookInput } from '../api';

export interface PendingEntry {
  key: string;
  account: string;
  patient: string;
  input: NotebookInput;
  queued_at: string;
  /** Why the server refused it (access ended, invalid…): kept so the author can copy the text, then discard it. */
  refused?: string;
}

/** The current account's pending entries, oldest first. */
export const pending = signal<PendingEntry[]>([]);
/** Bumped each time a pending entry reached the server, so that open lists reload. */
export const delivered = signal(0);

const DB = 'cordee-outbox', STORE = 'entries';
let account: string | null = null;
let sending = false;
let timer: ReturnType<typeof setInterval> | null = null;

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** One transaction on the store; resolves with `fn`'s request result once the transaction is committed. */
async function tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  const db = await open();
  try {
    return await new Promise<T | undefined>((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(req ? req.result : undefined);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally { db.close(); }
}

async function refresh() {
  const all = (await tx<PendingEntry[]>('readonly', (s) => s.getAll())) ?? [];
  pending.value = all.filter((e) => e.account === account).sort((a, b) => a.queued_at.localeCompare(b.queued_at));
}

/** Keeps an entry that could not be sent for lack of network; it is sent when the network returns. */
export async function queueEntry(patient: string, input: NotebookInput, key: string) {
  if (!account) throw new Error('no session');
  const queued_at = new Date().toISOString();
  // The facts happened now, not when the network returns: without a time of its own, the entry takes this one.
  const e: PendingEntry = { key, account, patient, input: { ...input, fact_at: input.fact_at ?? queued_at }, queued_at };
  await tx('readwrite', (s) => s.put(e));
  await refresh();
}

/** The author gives up a refused (or still waiting) entry. */
export async function discard(key: string) {
  await tx('readwrite', (s) => s.delete(key));
  await refresh();
}

/**
 * Sends the waiting entries in order. Stops at the first one that meets no network, a lost session or a busy
 * server (it will be tried again); an entry the server refuses for good is marked with the reason and skipped.
 */
export async function flush() {
  if (sending || !account || !navigator.onLine) return;
  sending = true;
  try {
    for (const e of pending.value.filter((x) => !x.refused)) {
      try {
        await api.writeEntry(e.patient, e.input, e.key);
        await tx('readwrite', (s) => s.delete(e.key));
        delivered.value++;
      } catch (x) {
        if (!isApiError(x) || x.status === 0 || x.status === 401 || x.status === 408 || x.status === 429 || x.status >= 500) break;
        const why = [x.title, ...x.errors.map((f) => f.message)].join(' — ');
        await tx('readwrite', (s) => s.put({ ...e, refused: why }));
      }
    }
  } finally {
    sending = false;
    await refresh();
  }
}

/** Called when the session changes: shows that account's entries and sends them. */
export async function switchAccount(id: string | null) {
  account = id;
  await refresh().catch(() => { pending.value = []; });
  if (timer) { clearInterval(timer); timer = null; }
  if (!id) return;
  // 'online' events are not always fired (captive portals, flaky cells): also try every 30 seconds.
  timer = setInterval(() => { if (pending.value.some((e) => !e.refused)) void flush(); }, 30_000);
  void flush();
}

/** Explicit logout: this account's waiting entries leave the device with the session. */
export async function forgetAccount(id: string) {
  const all = (await tx<PendingEntry[]>('readonly', (s) => s.getAll())) ?? [];
  await tx('readwrite', (s) => { for (const e of all) if (e.account === id) s.delete(e.key); });
  if (account === id) pending.value = [];
}

window.addEventListener('online', () => { void flush(); });
