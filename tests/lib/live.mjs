// A live feed client (GET /api/v1/live, docs/messaging.md) over a real WebSocket (npm ws): keeps every frame the
// server sent, in order, and waits for the ones a test expects.
import WebSocket from 'ws';
import { randomUUID } from 'node:crypto';
import { api } from './server.mjs';

export function liveUrl(server, after) {
  const u = new URL('/api/v1/live', server.url.replace(/^http/, 'ws'));
  if (after !== undefined) u.searchParams.set('after', String(after));
  return u.toString();
}

// Opens a feed; resolves once the server said hello. `frames` holds every frame, `events` the "event" ones.
export function openLive(server, token, { after, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (token) h.authorization = 'Bearer ' + token;
    const ws = new WebSocket(liveUrl(server, after), { headers: h });
    const feed = {
      ws, frames: [], events: [], waiters: [],
      // Waits until `predicate(feed)` holds (checked at each frame), at most `ms`.
      until(predicate, ms = 5000, what = 'frames') {
        if (predicate(feed)) return Promise.resolve(feed);
        return new Promise((ok, fail) => {
          const w = { predicate, ok, timer: setTimeout(() => fail(new Error(`timed out waiting for ${what}: ${JSON.stringify(feed.frames)}`)), ms) };
          feed.waiters.push(w);
        });
      },
      last() { return feed.events.length ? feed.events[feed.events.length - 1].seq : feed.hello?.seq; },
      close() { return new Promise((ok) => { if (ws.readyState === WebSocket.CLOSED) return ok(); ws.once('close', ok); ws.close(); }); },
      closed: new Promise((ok) => ws.once('close', (code, reason) => ok({ code, reason: String(reason) }))),
    };
    ws.on('message', (data) => {
      const f = JSON.parse(String(data));
      feed.frames.push(f);
      if (f.type === 'event') feed.events.push(f);
      if (f.type === 'hello') { feed.hello = f; resolve(feed); }
      for (const w of [...feed.waiters]) {
        if (w.predicate(feed)) { clearTimeout(w.timer); feed.waiters.splice(feed.waiters.indexOf(w), 1); w.ok(feed); }
      }
    });
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => reject(Object.assign(new Error(`refused ${res.statusCode}: ${body}`), { status: res.statusCode, body: JSON.parse(body || 'null') })));
    });
    ws.on('error', (e) => reject(e));  // after the hello, a no-op: the close that follows tells the end
  });
}

export async function accountId(server, token) {
  const me = await api(server, 'GET', '/api/v1/me', { token });
  if (me.status !== 200) throw new Error(me.text);
  return me.json.id ?? me.json.account_id;
}

export async function conversation(server, token, body, headers = {}) {
  return api(server, 'POST', '/api/v1/conversations', { token, body, headers });
}

export async function send(server, token, cid, body, id = randomUUID()) {
  return api(server, 'POST', `/api/v1/conversations/${cid}/messages`, { token, body: { id, body } });
}
