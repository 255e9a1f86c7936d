// Web Push on this device (docs/messaging.md, "Web Push"). Permission is asked only when the user chooses it, from
// one line on the Messages page — never at load, where browsers bury or block a prompt nobody asked for. Once
// granted, the browser's subscription is registered; at each start with the session of an account that chose it on
// this device (watchPushSubscription, from main.tsx) it is checked again: subscribed anew if the server key changed
// or the browser dropped it, and POSTed again so that a server that lost it (a 410 from the push service) has it
// back. The choice is per account and device: the permission is the browser's, and the next person who logs in here
// has not asked for anything; a logout forgets it (state/session.ts).
import { effect, signal } from '@preact/signals';
import { useState } from 'preact/hooks';
import { request } from '../api/client';
import { navigate } from '../router';
import { me } from '../state/session';
import { t } from '../i18n';

type State = 'unsupported' | 'default' | 'granted' | 'denied';
const state = signal<State>(supported() ? (Notification.permission as State) : 'unsupported');
const subscribed = signal(false);
const chosenKey = (id: string) => `cordee-push:${id}`;
function chosen(): boolean {
  const id = me.value?.id;
  try { return !!id && localStorage.getItem(chosenKey(id)) === '1'; } catch { return false; }
}
function choose(yes: boolean) {
  const id = me.value?.id;
  if (!id) return;
  try { if (yes) localStorage.setItem(chosenKey(id), '1'); else localStorage.removeItem(chosenKey(id)); } catch { /* private mode */ }
}

function supported(): boolean {
  return typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

function keyBytes(b64url: string): Uint8Array<ArrayBuffer> {
  const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64url.length % 4)) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function sameKey(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a) return false;
  const x = new Uint8Array(a);
  return x.length === b.length && x.every((v, i) => v === b[i]);
}

/** Subscribes this browser (when permission is granted) and registers the subscription with the server. */
export async function renewPush(): Promise<void> {
  if (!supported() || Notification.permission !== 'granted' || !chosen()) return;
  const reg = await navigator.serviceWorker.ready;
  const { public_key } = await request<{ public_key: string }>('GET', '/push/key');
  const key = keyBytes(public_key);
  let sub = await reg.pushManager.getSubscription();
  // Made with another server key (the operator changed it): the push service would refuse our pushes to it.
  if (sub && !sameKey(sub.options.applicationServerKey, key)) { await sub.unsubscribe(); sub = null; }
  sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  await request('POST', '/push/subscriptions', { body: sub.toJSON() });
  subscribed.value = true;
}

/** This device stops being told (the user's choice, or a logout: the next user of the device did not ask). */
export async function forgetPush(): Promise<void> {
  if (!supported()) return;
  choose(false);
  // getRegistration, not ready: a logout must not wait for a worker that may never come (dev server, plain http).
  const sub = await (await navigator.serviceWorker.getRegistration())?.pushManager.getSubscription();
  if (!sub) return;
  await request('DELETE', '/push/subscriptions', { body: { endpoint: sub.endpoint } }).catch(() => { /* gone already */ });
  await sub.unsubscribe();
  subscribed.value = false;
}

let watching = false;
/** At each start with a session, the subscription is checked again; a tap on a notification opens its page here. */
export function watchPushSubscription() {
  if (watching || !supported()) return;
  watching = true;
  let renewedFor: string | null = null;
  effect(() => {
    const id = me.value?.id ?? null;
    if (!id || id === renewedFor) return;
    renewedFor = id;
    void renewPush().catch(() => { /* offline or refused: tried again at the next start */ });
  });
  navigator.serviceWorker.addEventListener('message', (e: MessageEvent) => {
    const data = e.data as { type?: string; url?: string } | null;
    if (data?.type === 'cordee-open' && typeof data.url === 'string' && data.url.startsWith('/') && !data.url.startsWith('//')) navigate(data.url);
    if (data?.type === 'cordee-push-renew') void renewPush().catch(() => { /* tried again at the next start */ });
  });
}

export function PushOffer() {
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  if (state.value === 'unsupported') return null;
  if (state.value === 'denied') return <p class="muted push-offer" data-testid="push-offer">{t.push.denied}</p>;
  if (state.value === 'granted' && subscribed.value) {
    return (
      <p class="muted push-offer" data-testid="push-offer">
        {t.push.enabled}{' '}
        <button type="button" class="btn btn--ghost btn--small" onClick={() => void forgetPush()}>{t.push.disable}</button>
      </p>
    );
  }
  const enable = async () => {
    setBusy(true);
    setFailed(false);
    try {
      state.value = (await Notification.requestPermission()) as State;
      if (state.value === 'granted') choose(true);
      await renewPush();
    } catch { setFailed(true); } finally { setBusy(false); }
  };
  return (
    <div class="push-offer" data-testid="push-offer">
      <p>{t.push.offer}<br /><span class="muted">{t.push.offerHint}</span></p>
      <button type="button" class="btn btn--secondary btn--small" onClick={enable} aria-disabled={busy ? 'true' : undefined}>
        {busy ? t.push.enabling : t.push.enable}
      </button>
      {failed && <p class="field__error" role="alert">{t.push.failed}</p>}
    </div>
  );
}
