// The recent conversations kept on this device for reading without network (docs/messaging.md, "Without network"):
// the list (the 20 most recent) and the last 50 messages of each, in the offline store (offline/store.ts), encrypted
// item by item with the store key like the patients' data, and only once the person chose a device code (the same
// rule as the sync feed). A patient conversation is filed under its patient, so that the patient leaving the feed
// (access ended) takes its messages too; logout and revocation wipe the whole store, these items with it.
// Items: "conversations/ID" (the conversation as the list gives it) and "messages/ID" ({ last_seq, items }).
import type { Conversation, Message } from '../api';
import { api } from '../api';
import { open, seal, type Sealed } from './crypto';
import { getMeta, tx, ITEMS } from './store';
import { currentKey, storeVersion } from './sync';

export const KEPT_CONVERSATIONS = 20, KEPT_MESSAGES = 50;
const CONVERSATIONS = 'conversations', MESSAGES = 'messages';

interface StoredItem extends Sealed { id: string; collection: string; patient: string }
interface KeptMessages { conversation_id: string; last_seq: number; items: Message[] }

/** The store key when this device keeps an offline store (a device code was chosen), else null. */
async function keyToWrite(): Promise<CryptoKey | null> {
  const key = currentKey();
  if (!key) return null;
  const meta = await getMeta().catch(() => undefined);
  // After a wipe (logout, revocation) there is no meta: nothing is written, so nothing comes back.
  return meta?.code && currentKey() === key ? key : null;
}

async function readAll<T>(key: CryptoKey, collection: string): Promise<T[]> {
  const r = await tx([ITEMS], 'readonly', (t) => t.objectStore(ITEMS).index('collection').getAll(IDBKeyRange.only(collection)));
  const rows = r.result as StoredItem[];
  // An item sealed under another key (a race with a revocation) is skipped, never fatal to the others.
  const out = await Promise.all(rows.map((row) => open<T>(key, row).catch(() => null)));
  return out.filter((x): x is Awaited<T> => x !== null) as T[];
}

async function put(key: CryptoKey, items: { id: string; collection: string; patient: string; value: unknown }[], remove: string[] = []) {
  const sealed = await Promise.all(items.map((x) => seal(key, x.value)));
  if (currentKey() !== key) return;
  await tx([ITEMS], 'readwrite', (t) => {
    const s = t.objectStore(ITEMS);
    items.forEach((x, i) => s.put({ id: x.id, collection: x.collection, patient: x.patient, ...sealed[i]! } satisfies StoredItem));
    for (const id of remove) s.delete(id);
  });
}

const recent = (list: Conversation[]) => [...list].sort((a, b) => b.last_at.localeCompare(a.last_at)).slice(0, KEPT_CONVERSATIONS);

/** Keeps one conversation's last messages (the page shows them: no request of its own). */
export async function keepMessages(c: Conversation, messages: Message[]) {
  const key = await keyToWrite();
  if (!key) return;
  const items = messages.slice(-KEPT_MESSAGES);
  const value: KeptMessages = { conversation_id: c.id, last_seq: items.at(-1)?.seq ?? 0, items };
  // The page has just read them: the row of the list says so.
  const row: Conversation = { ...c, last_message: items.at(-1) ?? null, unread: 0 };
  await put(key, [
    { id: `${CONVERSATIONS}/${c.id}`, collection: CONVERSATIONS, patient: c.patient_id ?? '', value: row },
    { id: `${MESSAGES}/${c.id}`, collection: MESSAGES, patient: c.patient_id ?? '', value },
  ]);
}

let running: Promise<void> | null = null;
let queued: Conversation[] | null = null;
let lastRun = 0;
let waitingForStore: Conversation[] | null = null;  // a list read before the store key was there
const PAUSE_MS = 20_000;

// The store opens (and fills) after the session starts, often after the first list was read: keep it then.
storeVersion.subscribe(() => {
  const list = waitingForStore;
  if (list && currentKey()) { waitingForStore = null; void keepConversations(list); }
});

/**
 * Keeps the list as the server gave it (the 20 most recent) and, for each conversation whose last message is not
 * kept yet, fetches its last 50 messages, one conversation at a time. Called after each read of the list: runs at
 * most every 20 s (the latest list waits for the next run), so that a busy live feed costs no more requests.
 */
export function keepConversations(list: Conversation[]): Promise<void> {
  queued = list;
  if (running) return running;
  const wait = Math.max(0, lastRun + PAUSE_MS - Date.now());
  running = new Promise<void>((r) => setTimeout(r, wait)).then(async () => {
    const todo = queued!;
    queued = null;
    lastRun = Date.now();
    // Nothing to keep yet (no store key, no device code): the next list, or the store's opening, runs it again.
    if (!(await keepNow(todo).catch(() => true))) { lastRun = 0; waitingForStore = todo; }
  }).finally(() => { running = null; });
  return running;
}

/** False when this device keeps no store (nothing was done). */
async function keepNow(list: Conversation[]): Promise<boolean> {
  const key = await keyToWrite();
  if (!key) return false;
  const keep = recent(list);
  const ids = new Set(keep.map((c) => c.id));
  const [kept, keptMessages] = await Promise.all([readAll<Conversation>(key, CONVERSATIONS), readAll<KeptMessages>(key, MESSAGES)]);
  // What left the 20 (or that I left) goes from the device.
  const gone = [...kept.filter((c) => !ids.has(c.id)).map((c) => `${CONVERSATIONS}/${c.id}`),
    ...keptMessages.filter((m) => !ids.has(m.conversation_id)).map((m) => `${MESSAGES}/${m.conversation_id}`)];
  await put(key, keep.map((c) => ({ id: `${CONVERSATIONS}/${c.id}`, collection: CONVERSATIONS, patient: c.patient_id ?? '', value: c })), gone);
  const have = new Map(keptMessages.map((m) => [m.conversation_id, m.last_seq]));
  for (const c of keep) {
    if (!c.last_seq || have.get(c.id) === c.last_seq) continue;
    if (!navigator.onLine || currentKey() !== key) return true;
    try {
      const page = await api.messages(c.id, { limit: KEPT_MESSAGES });
      const value: KeptMessages = { conversation_id: c.id, last_seq: page.items.at(-1)?.seq ?? 0, items: page.items };
      await put(key, [{ id: `${MESSAGES}/${c.id}`, collection: MESSAGES, patient: c.patient_id ?? '', value }]);
    } catch { return true; }  // no network, session gone: the next run tries again
  }
  return true;
}

/** Forgets a conversation I left (live 'conversation_left'). */
export async function forgetConversation(id: string) {
  const key = await keyToWrite();
  if (key) await put(key, [], [`${CONVERSATIONS}/${id}`, `${MESSAGES}/${id}`]);
}

/** The kept conversations, the most recent first (offline pages). */
export async function keptConversations(key: CryptoKey): Promise<Conversation[]> {
  return recent(await readAll<Conversation>(key, CONVERSATIONS));
}

/** One kept conversation and its kept messages, or null. */
export async function keptConversation(key: CryptoKey, id: string): Promise<{ conversation: Conversation; messages: Message[] } | null> {
  const [cs, ms] = await Promise.all([readAll<Conversation>(key, CONVERSATIONS), readAll<KeptMessages>(key, MESSAGES)]);
  const conversation = cs.find((c) => c.id === id);
  if (!conversation) return null;
  return { conversation, messages: ms.find((m) => m.conversation_id === id)?.items ?? [] };
}
