// The offline store (IndexedDB "cordee-offline"): what the sync feed gave this device, encrypted item by item with
// the store key (crypto.ts), and the outbox of writes made without network. One store for every kind of data:
// `items` holds every collection ("patients", "entries", "alerts", "favorites"; messaging adds its own), each item
// under "collection/key" with the patient it belongs to, so that a patient's tombstone removes all of its items.
// In clear stay only what is needed before the device code is typed: the account id, the key id, the wrapped key,
// the time of the last sync, the cursor, and the patient ids the items are filed under (random UUIDs).
import { seal, open, type Sealed, type WrappedKey } from './crypto';

const DB = 'cordee-offline', VERSION = 1;
export const ITEMS = 'items', META = 'meta', OUTBOX = 'outbox';

export interface Meta {
  id: 'device';
  account: string;
  key_id: string;
  /** The store key wrapped under the device code; absent until the person chooses one on this device. */
  code?: WrappedKey;
  failures: number;
  synced_at?: string;
  cursor?: string;
}

interface StoredItem extends Sealed { id: string; collection: string; patient: string }
export interface Change { collection: string; key: string; patient_id: string | null; op: 'put' | 'delete'; value?: unknown; reason?: string }

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore(META, { keyPath: 'id' });
      const items = db.createObjectStore(ITEMS, { keyPath: 'id' });
      items.createIndex('patient', 'patient');
      items.createIndex('collection', 'collection');
      db.createObjectStore(OUTBOX, { keyPath: 'key' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** One transaction; resolves with what `fn` returns (a request: its result is then ready) once it is committed. */
export async function tx<T>(stores: string[], mode: IDBTransactionMode, fn: (t: IDBTransaction) => T): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(stores, mode);
      let out: T;
      try { out = fn(t); } catch (e) { t.abort(); reject(e); return; }
      t.oncomplete = () => resolve(out);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally { db.close(); }
}

export async function getMeta(): Promise<Meta | undefined> {
  const r = await tx([META], 'readonly', (t) => t.objectStore(META).get('device'));
  return r.result as Meta | undefined;  // a request's result is set once its transaction completed
}

export async function putMeta(m: Meta) { await tx([META], 'readwrite', (t) => { t.objectStore(META).put(m); }); }

/** Everything leaves the device: data, outbox, wrapped key. */
export function wipeAll(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(DB);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
    req.onblocked = () => resolve();  // another tab holds it open: it is deleted when that tab closes it
  });
}

/** Applies a page of the feed in order, in one transaction (a page is all or nothing). */
export async function applyChanges(key: CryptoKey, changes: Change[], meta: Meta) {
  // Sealing is asynchronous and a transaction ends at the first await that is not its own: seal first.
  const sealed = await Promise.all(changes.map((c) => (c.op === 'put' ? seal(key, c.value) : null)));
  await tx([ITEMS, META], 'readwrite', (t) => {
    const items = t.objectStore(ITEMS);
    changes.forEach((c, i) => {
      const id = `${c.collection}/${c.key}`;
      if (c.op === 'put') {
        items.put({ id, collection: c.collection, patient: c.patient_id ?? '', ...sealed[i]! } satisfies StoredItem);
        return;
      }
      items.delete(id);
      // A patient that leaves the feed takes everything filed under it.
      if (c.collection === 'patients') {
        const cur = items.index('patient').openKeyCursor(IDBKeyRange.only(c.key));
        cur.onsuccess = () => { const k = cur.result; if (k) { items.delete(k.primaryKey); k.continue(); } };
      }
    });
    t.objectStore(META).put(meta);
  });
}

/** The decrypted items of a collection (of one patient when given). */
export async function readCollection<T>(key: CryptoKey, collection: string, patient?: string): Promise<T[]> {
  const rows = await tx([ITEMS], 'readonly', (t) => {
    const s = t.objectStore(ITEMS);
    return patient !== undefined ? s.index('patient').getAll(IDBKeyRange.only(patient)) : s.index('collection').getAll(IDBKeyRange.only(collection));
  });
  const all = rows.result as StoredItem[];
  return Promise.all(all.filter((r) => r.collection === collection).map((r) => open<T>(key, r)));
}
