// The live feed (GET /api/v1/live, docs/messaging.md): one WebSocket per tab while someone is logged in. Every event
// of the account arrives numbered; the last number is kept so that a reconnection (network back, server restarted,
// another node) resumes exactly after it. Pages listen to the kinds they show; `unreadMessages` feeds the tab badge.
import { effect, signal } from '@preact/signals';
import { api, type LiveFrame } from '../api';
import { me } from './session';

export interface LiveEvent { seq: number; kind: string; at: string; data: any }
type Listener = (e: LiveEvent) => void;

const listeners = new Set<Listener>();
/** The socket is open (the counters are live). */
export const liveOpen = signal(false);
/** Messages of others after my read cursors, across my conversations (GET /conversations, then the live events). */
export const unreadMessages = signal(0);

let socket: WebSocket | null = null;
let last: number | null = null;
let retry = 0;
let timer: ReturnType<typeof setTimeout> | null = null;
let wanted = false;

export function onLive(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export async function refreshUnread() {
  try {
    const r = await api.conversations();
    unreadMessages.value = r.unread_total;
    // The recent conversations, kept on the device for reading without network (its own chunk, loaded when needed).
    void import('../offline/messages').then((m) => m.keepConversations(r.items)).catch(() => {});
  } catch { /* offline: keep the last count */ }
}

// "Distribué": a message of someone else reached this device; told once per conversation for what came together.
const received = new Map<string, number>();
let receivedTimer: ReturnType<typeof setTimeout> | null = null;
function tellReceived(e: LiveEvent) {
  const m = e.data?.message;
  if (!m || m.author_id === me.value?.id) return;
  received.set(m.conversation_id, Math.max(received.get(m.conversation_id) ?? 0, m.seq));
  receivedTimer ??= setTimeout(() => {
    receivedTimer = null;
    for (const [cid, seq] of received) void api.deliveredConversation(cid, seq).catch(() => {});
    received.clear();
  }, 300);
}

function connect() {
  if (!wanted || socket) return;
  const url = new URL('/api/v1/live', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (last !== null) url.searchParams.set('after', String(last));
  const ws = new WebSocket(url);
  socket = ws;
  ws.onmessage = (m) => {
    let f: LiveFrame;
    try { f = JSON.parse(String(m.data)); } catch { return; }
    if (f.type === 'hello') {
      retry = 0;
      liveOpen.value = true;
      if (last === null) last = f.seq;
      void refreshUnread();
    } else if (f.type === 'reset') {
      last = f.seq;
    } else if (f.type === 'event') {
      if (last !== null && f.seq <= last) return;  // never twice
      last = f.seq;
      if (f.kind === 'message' || f.kind === 'read') void refreshUnread();
      if (f.kind === 'message') tellReceived(f);
      for (const fn of listeners) fn(f);
    }
  };
  ws.onclose = () => {
    socket = null;
    liveOpen.value = false;
    if (!wanted) return;
    // 1 s, 2 s, 4 s… up to 30 s, with jitter so that a restarted server is not hit by everyone at once.
    const wait = Math.min(30_000, 1000 * 2 ** retry++) * (0.5 + Math.random() / 2);
    timer = setTimeout(connect, wait);
  };
}

function disconnect() {
  if (timer) { clearTimeout(timer); timer = null; }
  const s = socket;
  socket = null;
  s?.close();
  last = null;
  unreadMessages.value = 0;
}

effect(() => {
  const user = me.value;
  wanted = !!user;
  if (user) connect(); else disconnect();
});
window.addEventListener('online', () => { retry = 0; if (timer) { clearTimeout(timer); timer = null; } connect(); });
