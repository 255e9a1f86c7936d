// This device's offline store, as the session sees it (docs/architecture.md, "Offline"):
// - with a session: the store key is fetched (GET /api/v1/sync/key) and held in memory only; once the person has
//   chosen a device code, the key is kept wrapped under it and the feed is synced (at login, every 5 minutes, when
//   the network returns, after the outbox delivered);
// - reopened without network: the device code unwraps the key, and the offline pages read the store (5 wrong codes
//   wipe it; so do 30 days without a sync);
// - wiped at logout, when another account logs in, and when the feed says the key was revoked (410 sync-reset
//   "revoked", or a key id that is not the store's).
import { signal } from '@preact/signals';
import { api, isApiError, type Me } from '../api';
import { fromBase64Url, importStoreKey, unwrapWithCode, wrapWithCode } from './crypto';
import { applyChanges, getMeta, putMeta, tx, wipeAll, ITEMS, type Meta } from './store';

export const MAX_AGE_MS = 30 * 24 * 3600 * 1000;
const MAX_FAILURES = 5;

/** 'locked': no network and a store to open with the device code; 'open': the offline pages read the store. */
export const offlineMode = signal<'locked' | 'open' | null>(null);
/** An online session whose device has no code yet: the store cannot be opened offline until one is chosen. */
export const needsCode = signal(false);
/** `needsCode` is settled for this session (the store was read, or could not be): the portal waits for it before
 * showing its tiles, so that the offer never appears above them and pushes them down the screen. */
export const codeChecked = signal(false);
export const syncedAt = signal<string | null>(null);
/** Bumped after each applied page, so that open offline pages read again. */
export const storeVersion = signal(0);
/** Why the store was wiped, to say it once. */
export const wipedBecause = signal<'revoked' | 'stale' | 'failures' | null>(null);

let storeKey: CryptoKey | null = null;
let rawKey: string | null = null;  // only while a session is open, to wrap it under a new device code
let revoked = false;               // wiped by a revocation: no new store before the next login
let syncing: Promise<void> | null = null;
let timer: ReturnType<typeof setInterval> | null = null;

export const currentKey = () => storeKey;

async function wipe(why: 'revoked' | 'stale' | 'failures' | null) {
  storeKey = null;
  syncedAt.value = null;
  needsCode.value = false;
  await wipeAll();
  if (why) wipedBecause.value = why;
  if (why === 'revoked') revoked = true;
  storeVersion.value++;
}

/** A full session is open (login, or the app started with one). */
export async function sessionStarted(me: Me) {
  try { await openSession(me); } finally { codeChecked.value = true; }
}

async function openSession(me: Me) {
  if (revoked) return;
  let k: { key_id: string; key: string };
  try { k = await api.syncKey(); } catch { return; }  // offline store left as it is until the next try
  let meta = await getMeta();
  if (meta && meta.account !== me.id) { await wipe(null); meta = undefined; }
  if (meta && meta.key_id !== k.key_id) { await wipe('revoked'); return; }
  rawKey = k.key;
  storeKey = await importStoreKey(fromBase64Url(k.key));
  if (!meta) { meta = { id: 'device', account: me.id, key_id: k.key_id, failures: 0 }; await putMeta(meta); }
  syncedAt.value = meta.synced_at ?? null;
  needsCode.value = !meta.code;
  if (timer) clearInterval(timer);
  timer = setInterval(() => { void syncNow(); }, 5 * 60_000);
  void syncNow();
}

export function sessionEnded() {
  if (timer) { clearInterval(timer); timer = null; }
  rawKey = null;
  codeChecked.value = false;
}

/** Logout: nothing of the session stays on the device. */
export async function forgetDevice() {
  sessionEnded();
  revoked = false;
  await wipe(null);
}

/** The person chooses the device code: the key is kept wrapped under it, and the store fills. */
export async function chooseCode(code: string) {
  const meta = await getMeta();
  if (!meta || !rawKey) throw new Error('no session');
  const raw = fromBase64Url(rawKey);
  await putMeta({ ...meta, code: await wrapWithCode(raw, code), failures: 0 });
  raw.fill(0);
  needsCode.value = false;
  await syncNow();
}

async function runSync() {
  let meta = await getMeta();
  if (!storeKey || !meta?.code || !navigator.onLine) return;
  let restarted = false;
  for (;;) {
    let page;
    try {
      page = await api.sync(meta.cursor ?? '');
    } catch (e) {
      if (isApiError(e, 'sync-reset')) {
        if (e.body?.reason === 'revoked') { await wipe('revoked'); return; }
        if (restarted) return;
        restarted = true;  // a cursor this server cannot resume: the items go, the code stays, start from zero
        await tx([ITEMS], 'readwrite', (t) => { t.objectStore(ITEMS).clear(); });
        meta = { ...meta!, cursor: undefined };
        await putMeta(meta);
        continue;
      }
      return;  // no network, session gone, server busy: tried again later
    }
    if (page.key_id !== meta.key_id) { await wipe('revoked'); return; }
    meta = { ...meta, cursor: page.cursor, ...(page.more ? {} : { synced_at: new Date().toISOString() }) };
    await applyChanges(storeKey, page.changes, meta);
    storeVersion.value++;
    if (!page.more) { syncedAt.value = meta.synced_at!; return; }
  }
}

/** A sync asked while one runs is run again right after it: the running one may have read the server before what
 * prompted the new request (the network came back, a revocation meanwhile), and must not stand for it. */
let again = false;
export function syncNow(): Promise<void> {
  if (syncing) { again = true; return syncing; }
  syncing = (async () => {
    do {
      again = false;
      await runSync().catch(() => { /* IndexedDB or crypto refused: the online pages still work */ });
    } while (again);
  })().finally(() => { syncing = null; });
  return syncing;
}

/** Opened without network: is there a store this device can open? (A store 30 days old is wiped here.) */
export async function enterOffline(): Promise<boolean> {
  let meta: Meta | undefined;
  try { meta = await getMeta(); } catch { return false; }
  if (!meta?.code) return false;
  if (!meta.synced_at || Date.now() - Date.parse(meta.synced_at) > MAX_AGE_MS) {
    if (meta.synced_at) await wipe('stale');
    return false;
  }
  syncedAt.value = meta.synced_at;
  offlineMode.value = storeKey ? 'open' : 'locked';
  return true;
}

/** The device code typed offline: 'ok', 'wrong' (with the tries left) or 'wiped'. */
export async function unlock(code: string): Promise<{ result: 'ok' | 'wrong' | 'wiped'; left?: number }> {
  const meta = await getMeta();
  if (!meta?.code) return { result: 'wiped' };
  const key = await unwrapWithCode(meta.code, code);
  if (!key) {
    const failures = meta.failures + 1;
    if (failures >= MAX_FAILURES) { await wipe('failures'); offlineMode.value = null; return { result: 'wiped' }; }
    await putMeta({ ...meta, failures });
    return { result: 'wrong', left: MAX_FAILURES - failures };
  }
  await putMeta({ ...meta, failures: 0 });
  storeKey = key;
  offlineMode.value = 'open';
  return { result: 'ok' };
}

window.addEventListener('online', () => { void syncNow(); });
