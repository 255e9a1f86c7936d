// One outbox for every write made without network (notebook entries now; messages, bookings and forms register their
// own kind with registerSender). Each write waits on this device, encrypted with the store key (offline/store.ts),
// and is sent again, oldest first, with the idempotency key it was first sent with: a nurse at a home visit with no
// signal writes the transmission now, and it reaches the circle when the phone finds the network. The server answers
// a replayed key with the first result, so a write whose answer was lost on the way is never made twice
// (DESIGN.md §4). A write the server refuses — a conflict (409) included — stays listed with the reason for its
// author: nothing is ever overwritten or dropped silently.
//
// Per account: another person logging in on the same phone neither sees nor sends them; logout deletes them.
import { signal } from '@preact/signals';
import { api, isApiError, type NotebookInput } from '../api';
import { seal, open, type Sealed } from './crypto';
import { tx, OUTBOX } from './store';
import { currentKey, syncNow } from './sync';

export interface PendingEntry {
  key: string;
  account: string;
  kind: string;
  patient: string;
  input: NotebookInput;
  queued_at: string;
  /** Why the server refused it (access ended, conflict, invalid…): kept so the author can copy the text, then discard it. */
  refused?: string;
  conflict?: boolean;
}
interface StoredWrite extends Sealed { key: string; account: string; kind: string; queued_at: string }
type Payload = Pick<PendingEntry, 'patient' | 'input' | 'refused' | 'conflict'>;

/** How each kind of write reaches the server; `key` is its Idempotency-Key. */
type Sender = (w: PendingEntry, key: string) => Promise<unknown>;
const senders: Record<string, Sender> = {
  notebook_entry: (w, key) => api.writeEntry(w.patient, w.input, key),
};
export function registerSender(kind: string, send: Sender) { senders[kind] = send; }

/** The current account's pending writes, oldest first. */
export const pending = signal<PendingEntry[]>([]);
/** Bumped each time a pending write reached the server, so that open lists reload. */
export const delivered = signal(0);

let account: string | null = null;
let sending = false;
let timer: ReturnType<typeof setInterval> | null = null;

/** A new empty list would render the whole app again (it shows the count) at every start: an empty one stays. */
function setPending(list: PendingEntry[]) {
  if (list.length || pending.value.length) pending.value = list;
}

async function refresh() {
  const key = currentKey();
  if (!account || !key) { setPending([]); return; }
  const r = await tx([OUTBOX], 'readonly', (t) => t.objectStore(OUTBOX).getAll());
  const mine = (r.result as StoredWrite[]).filter((w) => w.account === account);
  const out: PendingEntry[] = [];
  for (const w of mine) {
    try { out.push({ key: w.key, account: w.account, kind: w.kind, queued_at: w.queued_at, ...(await open<Payload>(key, w)) }); }
    catch { /* sealed under a revoked key: unreadable, it goes with the next wipe */ }
  }
  setPending(out.sort((a, b) => a.queued_at.localeCompare(b.queued_at)));
}

async function store(w: PendingEntry) {
  const key = currentKey();
  if (!key) throw new Error('no store key');
  const payload: Payload = { patient: w.patient, input: w.input, refused: w.refused, conflict: w.conflict };
  const sealed = await seal(key, payload);
  await tx([OUTBOX], 'readwrite', (t) => {
    t.objectStore(OUTBOX).put({ key: w.key, account: w.account, kind: w.kind, queued_at: w.queued_at, ...sealed } satisfies StoredWrite);
  });
}

/** Keeps a write of `kind` (a sender is registered for it) that could not be sent; it is sent when the network returns. */
export async function queueWrite(kind: string, patient: string, input: unknown, key: string) {
  if (!account) throw new Error('no session');
  await store({ key, account, kind, patient, input: input as NotebookInput, queued_at: new Date().toISOString() });
  await refresh();
}

/** Keeps an entry that could not be sent for lack of network; it is sent when the network returns. */
export function queueEntry(patient: string, input: NotebookInput, key: string) {
  // The facts happened now, not when the network returns: without a time of its own, the entry takes this one.
  return queueWrite('notebook_entry', patient, { ...input, fact_at: input.fact_at ?? new Date().toISOString() }, key);
}

/** The author gives up a refused (or still waiting) write. */
export async function discard(key: string) {
  await tx([OUTBOX], 'readwrite', (t) => { t.objectStore(OUTBOX).delete(key); });
  await refresh();
}

/**
 * Sends the waiting writes in order. Stops at the first one that meets no network, a lost session or a busy
 * server (it will be tried again); one the server refuses for good is marked with the reason and skipped.
 */
export async function flush() {
  if (sending || !account || !navigator.onLine || !currentKey()) return;
  sending = true;
  try {
    for (const w of pending.value.filter((x) => !x.refused)) {
      const send = senders[w.kind];
      if (!send) continue;
      try {
        await send(w, w.key);
        await tx([OUTBOX], 'readwrite', (t) => { t.objectStore(OUTBOX).delete(w.key); });
        delivered.value++;
      } catch (x) {
        if (!isApiError(x) || x.status === 0 || x.status === 401 || x.status === 408 || x.status === 429 || x.status >= 500) break;
        const why = [x.title, ...x.errors.map((f) => f.message)].join(' — ');
        await store({ ...w, refused: why, conflict: x.status === 409 });
      }
    }
  } finally {
    sending = false;
    await refresh();
  }
  void syncNow();  // the store shows what was just sent
}

/** Called when the session changes (or the store opens offline): shows that account's writes and sends them. */
export async function switchAccount(id: string | null) {
  account = id;
  await refresh().catch(() => { setPending([]); });
  if (timer) { clearInterval(timer); timer = null; }
  if (!id) return;
  // 'online' events are not always fired (captive portals, flaky cells): also try every 30 seconds.
  timer = setInterval(() => { if (pending.value.some((e) => !e.refused)) void flush(); }, 30_000);
  void flush();
}

window.addEventListener('online', () => { void flush(); });
