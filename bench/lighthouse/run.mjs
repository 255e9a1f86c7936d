// Lighthouse 12.2.3, mobile profile (its default: Moto G Power screen, simulated slow 4G and 4× CPU slowdown), on
// the portal, "Mes patients" and a patient page, as the demo infirmier, for each server given:
//   node bench/lighthouse/run.mjs NAME=URL=DATA_DIR [NAME=URL=DATA_DIR…]
// The session is a real cookie login (password + TOTP) sent by Lighthouse as a Cookie header. Each page is measured
// BENCH_LH_RUNS times (default 3) and the median performance score kept (the accessibility score does not vary).
// BENCH_LH_PAGES (comma-separated among portail, patients, patient) measures only those pages; with BENCH_LH_OUT set,
// each run's full report is written there as NAME-PAGE-RUN.json (its audits: bootup-time, long-tasks…).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { cookieLogin, cookieHeader } from '../../tests/lib/flows.mjs';
import { api } from '../../tests/lib/server.mjs';

const runs = Number(process.env.BENCH_LH_RUNS || 3);
const targets = process.argv.slice(2).map((a) => {
  const [name, url, dataDir] = a.split('=');
  return { name, url: url.replace('127.0.0.1', 'localhost').replace(/\/$/, ''), dataDir };
});

const only = process.env.BENCH_LH_PAGES ? process.env.BENCH_LH_PAGES.split(',') : null;
const out = process.env.BENCH_LH_OUT;
if (out) mkdirSync(out, { recursive: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function pagesOf(t) {
  const nurse = JSON.parse(readFileSync(join(t.dataDir, 'demo-accounts.json'), 'utf8'))
    .find((a) => a.email === 'infirmier@demo.cordee.fr');
  const { jar } = await cookieLogin({ url: t.url }, nurse.email, nurse.password, nurse.totp_secret);
  const cookie = cookieHeader(jar);
  const mine = await api({ url: t.url }, 'GET', '/api/v1/patients/mine', { headers: { cookie } });
  if (mine.status !== 200 || !mine.json.items.length) throw new Error(`${t.name}: no patient (${mine.status})`);
  const pages = [['portail', '/'], ['patients', '/patients'], ['patient', `/patients/${mine.json.items[0].id}`]];
  return { cookie, pages: pages.filter(([page]) => !only || only.includes(page)) };
}

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CORDEE_CHROMIUM || '/usr/bin/chromium',
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const results = {};
try {
  for (const t of targets) {
    const { cookie, pages } = await pagesOf(t);
    for (const [page, path] of pages) {
      const perf = [], a11y = [], lcp = [], tbt = [];
      for (let i = 0; i < runs; i++) {
        // A trace Chrome failed to record (NO_NAVSTART, seen on a loaded machine) is measured again, twice at most.
        let lhr;
        for (let attempt = 0; attempt < 3; attempt++) {
          lhr = (await lighthouse(t.url + path, {
            port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility'],
            extraHeaders: { Cookie: cookie }, disableStorageReset: false,
          })).lhr;
          if (!lhr.runtimeError) break;
        }
        if (lhr.runtimeError) throw new Error(`${t.name} ${path}: ${lhr.runtimeError.message}`);
        if (new URL(lhr.finalDisplayedUrl).pathname !== path) throw new Error(`${t.name} ${path}: ended on ${lhr.finalDisplayedUrl}`);
        if (out) writeFileSync(join(out, `${t.name.replace(/[^\w.-]+/g, '_')}-${page}-${i + 1}.json`), JSON.stringify(lhr));
        perf.push(Math.round(lhr.categories.performance.score * 100));
        a11y.push(Math.round(lhr.categories.accessibility.score * 100));
        lcp.push(lhr.audits['largest-contentful-paint'].numericValue);
        tbt.push(lhr.audits['total-blocking-time'].numericValue);
        if (i === 0) {
          const failed = Object.values(lhr.audits).filter((x) => lhr.categories.accessibility.auditRefs.some((ref) => ref.id === x.id)
            && x.score !== null && x.score < 1 && x.scoreDisplayMode === 'binary').map((x) => x.id);
          if (failed.length) console.log(`  ${t.name} ${page}: accessibility audits failed: ${failed.join(', ')}`);
        }
      }
      (results[page] ??= {})[t.name] = { perf: median(perf), a11y: median(a11y), lcp: median(lcp), tbt: median(tbt), all: perf };
    }
  }
} finally {
  await chrome.kill();
}

const names = targets.map((t) => t.name);
console.log(`\nLighthouse 12.2.3, mobile profile, median of ${runs} runs (performance / accessibility, LCP, TBT)`);
for (const [page, by] of Object.entries(results)) {
  const cells = names.map((n) => `${n} ${by[n].perf} / ${by[n].a11y} (LCP ${(by[n].lcp / 1000).toFixed(2)} s, TBT ${Math.round(by[n].tbt)} ms; runs ${by[n].all.join(' ')})`);
  const ours = by[names[0]];
  const verdict = ours.perf >= 90 && ours.a11y === 100 ? 'ok' : 'MISSED';
  console.log(`${page.padEnd(13)} ${cells.join('  |  ')}  → ${verdict} (target performance ≥ 90, accessibility 100)`);
}
