// The load generator of bench/messaging.sh (bench/README.md): real WebSockets (npm ws) on GET /api/v1/live and real
// POSTs (node:http, keep-alive) to the conversation routes, against cordee or the bare fan-out (bench/ws_echo.cpp),
// the same code for both. Writes its figures as one JSON object to --out.
//
//   idle:   node bench/messaging_load.mjs idle --url URL --users FILE --count N --pid PID --out FILE
//           after a warm-up (200 sockets opened and closed) reads the server's VmRSS ("before"), signs each account
//           in as the app does first (GET /api/v1/me: "signed_in"), then opens N sockets (one per account,
//           --parallel at a time, each waits for its "hello") and reads it again ("after"). per_connection_kb is
//           (after - before) / N, everything a connected user costs; per_socket_kb (after - signed_in) / N.
//   active: node bench/messaging_load.mjs active --urls URL[,URL…] --users FILE --count N --out FILE
//           [--offset K] [--group-size 10] [--rate 200] [--duration 10] [--burst 50] [--concurrency 64]
//           account i is connected to node i % nodes and sends through it; pairs (2k, 2k+1) share a direct
//           conversation and blocks of --group-size accounts a group (so with two nodes every conversation spans
//           both). Phase "paced": --rate messages/s in all for --duration s, each account in turn, alternating its
//           direct and its group conversation. Phase "saturation": every account sends --burst messages (within the
//           server's per-account burst of 60), --concurrency requests in flight, as fast as the server answers.
//           The body carries the send time; each recipient other than the author notes its delay at receipt of
//           the "event" frame. Afterwards the expected deliveries (members - 1 per acknowledged message) are waited
//           for (at most 5 s after the paced phase, 30 s after saturation) and the missing ones counted.
//   --pids PID[,PID]: the servers, whose CPU time per acknowledged message is reported.
//   --users FILE: JSON lines {"id","token"} (bench_messaging_seed); --fake N instead: names u0…, the token is the id
//   (the echo checks nothing).
import http from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../tests/package.json', import.meta.url));
const WebSocket = require('ws');

const [mode, ...rest] = process.argv.slice(2);
const opt = {};
for (let i = 0; i < rest.length; i += 2) opt[rest[i].replace(/^--/, '')] = rest[i + 1];
const num = (k, d) => (opt[k] === undefined ? d : Number(opt[k]));

function loadUsers() {
  const offset = num('offset', 0), count = num('count', 1000);
  let all;
  if (opt.fake) all = Array.from({ length: Number(opt.fake) }, (_, i) => ({ id: `u${i}`, token: `u${i}` }));
  else all = readFileSync(opt.users, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const users = all.slice(offset, offset + count);
  if (users.length < count) throw new Error(`only ${users.length} accounts in ${opt.users ?? 'fake'} from ${offset}`);
  return users;
}

function procStatus(pid) {
  const out = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const m = /^(VmRSS|VmHWM|RssAnon|RssFile):\s+(\d+) kB/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

// CPU seconds (user + system) of a process so far.
function cpuOf(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const v = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(v[11]) + Number(v[12])) / 100;
}

function pct(values, p) {
  if (!values.length) return null;
  const v = Float64Array.from(values).sort();
  return +v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))].toFixed(3);
}
const BODY = Buffer.from('"body":"m '), QUOTE = 0x22;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Runs fn(i) for i in [0, n) with at most `parallel` at a time.
async function pool(n, parallel, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(parallel, n) }, async () => {
    while (next < n) { const i = next++; await fn(i); }
  }));
}

function openSocket(url, token, onMessage) {
  return new Promise((resolve, reject) => {
    const u = new URL('/api/v1/live', url.replace(/^http/, 'ws'));
    const ws = new WebSocket(u, { headers: { authorization: 'Bearer ' + token }, perMessageDeflate: false });
    let hello = false;
    ws.on('message', (data) => {
      if (!hello) {
        const s = String(data);
        if (s.includes('"type":"hello"') || s.includes('"type":"reset"')) { hello = true; resolve(ws); }
        return;
      }
      onMessage?.(data);
    });
    ws.once('unexpected-response', (req, res) => reject(new Error(`socket refused ${res.statusCode}`)));
    ws.on('error', (e) => { if (!hello) reject(e); });
  });
}

function poster(url, maxSockets) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const base = new URL(url);
  return (path, token, body) => new Promise((resolve) => {
    const data = JSON.stringify(body);
    const req = http.request({ host: base.hostname, port: base.port, path, method: 'POST', agent,
      headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
    (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', (e) => resolve({ status: 0, text: String(e) }));
    req.end(data);
  });
}

function getter(url, maxSockets) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const base = new URL(url);
  return (path, token) => new Promise((resolve) => {
    http.get({ host: base.hostname, port: base.port, path, agent, headers: { authorization: 'Bearer ' + token } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', () => resolve(0));
  });
}

async function idle() {
  const users = loadUsers();
  const url = opt.url, pid = Number(opt.pid), parallel = num('parallel', 200);
  // Warm-up: the first sockets make the server's thread arenas, caches and pools; not counted.
  const warm = Math.min(200, users.length);
  const w = [];
  await pool(warm, parallel, async (i) => { w.push(await openSocket(url, users[i].token)); });
  for (const ws of w) ws.terminate();
  await sleep(2000);
  const before = procStatus(pid);
  // What a client does before it opens its socket (GET /api/v1/me): each session is then read and cached once, and
  // the database's caches are warm; the sockets alone are the difference between `signed_in` and `after`.
  const get = getter(url, parallel);
  const statuses = {};
  await pool(users.length, parallel, async (i) => {
    const st = await get('/api/v1/me', users[i].token);
    statuses[st] = (statuses[st] ?? 0) + 1;
  });
  await sleep(1000);
  const signedIn = procStatus(pid);
  const t0 = performance.now();
  const sockets = [];
  let failed = 0, firstError = '';
  await pool(users.length, parallel, async (i) => {
    try { sockets.push(await openSocket(url, users[i].token)); } catch (e) { failed++; firstError ||= e.message; }
  });
  const openSeconds = (performance.now() - t0) / 1000;
  await sleep(num('settle-ms', 3000));
  const after = procStatus(pid);
  const open = sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length;
  const out = { count: users.length, open, failed, first_error: firstError, open_seconds: +openSeconds.toFixed(2),
    me_statuses: statuses, before, signed_in: signedIn, after,
    per_connection_kb: +((after.VmRSS - before.VmRSS) / open).toFixed(2),
    per_connection_anon_kb: +((after.RssAnon - before.RssAnon) / open).toFixed(2),
    per_socket_kb: +((after.VmRSS - signedIn.VmRSS) / open).toFixed(2) };
  writeFileSync(opt.out, JSON.stringify(out));
  console.log(JSON.stringify(out));
  for (const ws of sockets) ws.terminate();
  process.exit(0);
}

async function active() {
  const users = loadUsers();
  const urls = opt.urls.split(',');
  const groupSize = num('group-size', 10), rate = num('rate', 200), duration = num('duration', 10);
  const burst = num('burst', 50), concurrency = num('concurrency', 64);
  const nodeOf = (i) => i % urls.length;
  const posts = urls.map((u) => poster(u, concurrency));
  const n = users.length;

  // Conversations: the direct one of each pair, the group of each block.
  const convs = [];  // { id, members: [user index] }
  const direct = new Array(n), group = new Array(n);
  const plan = [];
  for (let k = 0; k + 1 < n; k += 2) plan.push({ kind: 'direct', members: [k, k + 1] });
  for (let b = 0; b * groupSize < n; b++) {
    const members = [];
    for (let i = b * groupSize; i < Math.min(n, (b + 1) * groupSize); i++) members.push(i);
    if (members.length > 1) plan.push({ kind: 'group', members });
  }
  const tc = performance.now();
  await pool(plan.length, 32, async (j) => {
    const p = plan[j], creator = p.members[0];
    const r = await posts[nodeOf(creator)]('/api/v1/conversations', users[creator].token,
      { kind: p.kind, title: p.kind === 'group' ? `Bench groupe ${j}` : undefined, member_ids: p.members.slice(1).map((i) => users[i].id) });
    if (r.status !== 201 && r.status !== 200) throw new Error(`conversation: ${r.status} ${r.text}`);
    const c = { id: JSON.parse(r.text).id, members: p.members };
    convs.push(c);
    for (const i of p.members) (p.kind === 'direct' ? direct : group)[i] = c;
  });
  console.error(`${plan.length} conversations in ${((performance.now() - tc) / 1000).toFixed(1)} s`);

  // One socket per account, on its node. A delivery to someone else than the author is timed.
  let phase = null;
  let closed = 0;
  const to = performance.now();
  const sockets = new Array(n);
  await pool(n, 100, async (i) => {
    const me = i;
    sockets[i] = await openSocket(urls[nodeOf(i)], users[i].token, (data) => {
      // Found in the raw bytes (no JSON.parse, no whole-frame string): the generator's CPU is the server's too.
      const at = data.indexOf(BODY);
      if (at < 0 || !phase) return;
      const end = data.indexOf(QUOTE, at + 10);
      const [sender, t] = data.toString('latin1', at + 10, end).split(' ');
      const from = Number(sender);
      if (from === me) return;
      const ms = performance.now() - Number(t);
      phase.received++;
      phase.delays.push(ms);
      (nodeOf(from) === nodeOf(me) ? phase.same : phase.cross).push(ms);
    });
    sockets[i].on('close', () => { closed++; });
  });
  console.error(`${n} sockets open in ${((performance.now() - to) / 1000).toFixed(1)} s on ${urls.length} node(s)`);

  const turn = new Array(n).fill(0);
  function send(i) {
    const c = (turn[i]++ % 2 === 0 ? direct[i] : group[i]) ?? direct[i] ?? group[i];
    const p = phase;
    const t = performance.now();
    p.sent++;
    return posts[nodeOf(i)](`/api/v1/conversations/${c.id}/messages`, users[i].token,
      { id: randomUUID(), body: `m ${i} ${t.toFixed(3)}` }).then((r) => {
      p.statuses[r.status] = (p.statuses[r.status] ?? 0) + 1;
      p.last_answer = performance.now();
      p.acks.push(p.last_answer - t);
      if (r.status === 201) p.expected += c.members.length - 1;
      else if (!p.first_error) p.first_error = `${r.status} ${r.text.slice(0, 200)}`;
    });
  }
  const pids = (opt.pids ?? '').split(',').filter(Boolean).map(Number);
  const cpuNow = () => ({ servers: pids.reduce((a, p) => a + cpuOf(p), 0), load: (process.cpuUsage().user + process.cpuUsage().system) / 1e6 });
  const newPhase = () => ({ sent: 0, statuses: {}, acks: [], delays: [], same: [], cross: [], received: 0, expected: 0,
    start: performance.now(), last_answer: 0, first_error: '', cpu0: cpuNow() });
  async function drain(p, ms) {
    const until = performance.now() + ms;
    while (p.received < p.expected && performance.now() < until) await sleep(20);
  }
  const summary = (p, wall) => {
    const cpu = cpuNow(), ok = p.statuses[201] ?? 0;
    return {
    // CPU spent by the server(s) and by this generator per acknowledged message (until every delivery arrived).
    server_cpu_ms_per_message: ok ? +((cpu.servers - p.cpu0.servers) * 1000 / ok).toFixed(3) : null,
    load_cpu_ms_per_message: ok ? +((cpu.load - p.cpu0.load) * 1000 / ok).toFixed(3) : null,
    sent: p.sent, statuses: p.statuses, first_error: p.first_error, wall_seconds: +wall.toFixed(3),
    acknowledged_per_second: +((p.statuses[201] ?? 0) / wall).toFixed(1),
    ack_p50_ms: pct(p.acks, 0.5), ack_p99_ms: pct(p.acks, 0.99),
    deliveries: p.received, expected_deliveries: p.expected, missing: Math.max(0, p.expected - p.received),
    p50_ms: pct(p.delays, 0.5), p99_ms: pct(p.delays, 0.99), max_ms: pct(p.delays, 1),
    same_node: { n: p.same.length, p50_ms: pct(p.same, 0.5), p99_ms: pct(p.same, 0.99) },
    cross_node: { n: p.cross.length, p50_ms: pct(p.cross, 0.5), p99_ms: pct(p.cross, 0.99) },
  }; };

  // Paced: `rate` messages/s, accounts in turn (a shuffled order).
  const order = [...Array(n).keys()].sort(() => Math.random() - 0.5);
  phase = newPhase();
  const paced = phase;
  const total = Math.round(rate * duration);
  const inflight = new Set();
  let k = 0;
  while (k < total) {
    const due = Math.min(total, Math.floor(((performance.now() - paced.start) / 1000) * rate) + 1);
    for (; k < due; k++) {
      const pr = send(order[k % n]);
      inflight.add(pr);
      pr.then(() => inflight.delete(pr));
    }
    await sleep(2);
  }
  await Promise.all(inflight);
  const pacedWall = (performance.now() - paced.start) / 1000;
  await drain(paced, 5000);
  const pacedOut = summary(paced, pacedWall);
  console.error(`paced: ${JSON.stringify(pacedOut)}`);

  // Saturation: `burst` messages per account, as fast as answered.
  phase = newPhase();
  const sat = phase;
  const queue = [];
  for (let r = 0; r < burst; r++) for (const i of order) queue.push(i);
  await pool(queue.length, concurrency, (j) => send(queue[j]));
  const satWall = (sat.last_answer - sat.start) / 1000;
  await drain(sat, 30000);
  const satOut = summary(sat, satWall);
  console.error(`saturation: ${JSON.stringify(satOut)}`);

  const out = { users: n, nodes: urls.length, conversations: convs.length, group_size: groupSize, rate, duration,
    burst, concurrency, sockets_closed: closed, paced: pacedOut, saturation: satOut };
  writeFileSync(opt.out, JSON.stringify(out));
  for (const ws of sockets) ws.terminate();
  process.exit(0);
}

if (mode === 'idle') await idle();
else if (mode === 'active') await active();
else { console.error('usage: messaging_load.mjs idle|active …'); process.exit(2); }
