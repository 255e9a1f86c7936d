// The first sync of a professional on a weak mobile link, in Debian's chromium with the network emulated through
// CDP (Network.emulateNetworkConditions: 1.6 Mbit/s down, 750 kbit/s up, 150 ms latency), as the phone app does it:
//   ours:     GET /api/v1/sync, page after page until `more` is false (what web/src/offline/sync.ts does);
//   baseline: the same data through the routes that existed before: GET /api/v1/patients/mine (pages of 200), then
//             for each patient, one at a time, GET /api/v1/patients/{id}/notebook?limit=20 (the same 20 entries).
//             The baseline fetches no alerts: it is the smaller of the two.
// Prints time, bytes on the wire (CDP encodedDataLength, headers included), requests, and the ratio.
//   node bench/first_sync.mjs URL TOKEN
import { chromium } from '../tests/node_modules/playwright-core/index.mjs';

const [url, token] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CORDEE_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
});
const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
const page = await context.newPage();
await page.goto(url + '/livez');
const cdp = await context.newCDPSession(page);
await cdp.send('Network.enable');
await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
await cdp.send('Network.emulateNetworkConditions', {
  offline: false, latency: 150, downloadThroughput: (1.6e6 / 8), uploadThroughput: (750e3 / 8),
});
let bytes = 0, requests = 0;
cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; requests++; });

async function measure(fn) {
  bytes = 0; requests = 0;
  const r = await page.evaluate(fn, token);
  await new Promise((res) => setTimeout(res, 300));  // the last loadingFinished events
  return { ...r, bytes, requests };
}

const ours = await measure(async (tok) => {
  const h = { authorization: 'Bearer ' + tok };
  const t0 = performance.now();
  let since = '', changes = 0, patients = 0, entries = 0, json = 0;
  for (;;) {
    // As the app asks (web/src/api/index.ts): the largest pages.
    const res = await fetch('/api/v1/sync?' + new URLSearchParams({ limit: '2000', ...(since ? { since } : {}) }), { headers: h });
    if (res.status !== 200) throw new Error('sync ' + res.status + ' ' + (await res.text()));
    const text = await res.text();
    json += text.length;
    const page = JSON.parse(text);
    changes += page.changes.length;
    for (const c of page.changes) { if (c.collection === 'patients') patients++; if (c.collection === 'entries') entries++; }
    since = page.cursor;
    if (!page.more) break;
  }
  return { ms: performance.now() - t0, changes, patients, entries, json };
});

const baseline = await measure(async (tok) => {
  const h = { authorization: 'Bearer ' + tok };
  const t0 = performance.now();
  const ids = [];
  let cursor = null, entries = 0;
  do {
    const q = new URLSearchParams({ limit: '200', ...(cursor ? { cursor } : {}) });
    const res = await fetch('/api/v1/patients/mine?' + q, { headers: h });
    if (res.status !== 200) throw new Error('mine ' + res.status);
    const j = await res.json();
    ids.push(...j.items.map((p) => p.id));
    cursor = j.next_cursor;
  } while (cursor);
  for (const id of ids) {
    const res = await fetch(`/api/v1/patients/${id}/notebook?limit=20`, { headers: h });
    if (res.status !== 200) throw new Error('notebook ' + res.status);
    entries += (await res.json()).items.length;
  }
  return { ms: performance.now() - t0, patients: ids.length, entries };
});
await browser.close();

const mib = (b) => (b / 1024 / 1024).toFixed(2) + ' MiB';
const s = (ms) => (ms / 1000).toFixed(2) + ' s';
console.log(`ours     (GET /api/v1/sync)           ${s(ours.ms)}  ${mib(ours.bytes)} on the wire  ${ours.requests} requests  ` +
  `${ours.patients} patients, ${ours.entries} entries, ${ours.changes} changes (${mib(ours.json)} of JSON before gzip)`);
console.log(`baseline (mine + notebook per patient) ${s(baseline.ms)}  ${mib(baseline.bytes)} on the wire  ${baseline.requests} requests  ` +
  `${baseline.patients} patients, ${baseline.entries} entries`);
console.log(`ratio ours/baseline: time ${(ours.ms / baseline.ms).toFixed(3)}, bytes ${(ours.bytes / baseline.bytes).toFixed(3)}`);
console.log(`target first sync ≤ 5 s: ${ours.ms <= 5000 ? 'ok' : 'MISSED'} (${s(ours.ms)})`);
