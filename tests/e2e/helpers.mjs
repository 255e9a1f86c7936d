// Browser helpers for the e2e tests: Debian's chromium through playwright-core (never a downloaded
// browser), axe checks, e-mail links and the login steps done like a user.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer, runCli, freshDatabase, demoAccounts, totp, waitForMail } from '../lib/server.mjs';

export { totp, waitForMail, demoAccounts };

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CORDEE_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A server with the demo territory; base is http://localhost:PORT so that Secure cookies work. */
export async function demoServer() {
  const db = freshDatabase();
  runCli(['demo'], db);
  const server = await startServer({ db });
  const base = server.url.replace('127.0.0.1', 'localhost').replace(/\/$/, '');
  return { server, db, base, accounts: demoAccounts(db) };
}

export async function newPage(browser, base, viewport = DESKTOP) {
  const context = await browser.newContext({
    baseURL: base, viewport, locale: 'fr-FR', timezoneId: 'Europe/Paris', serviceWorkers: 'block',
    isMobile: viewport.width < 500, hasTouch: viewport.width < 500,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.jsErrors = errors;
  return page;
}

/** Runs axe on the current page and fails with a readable list of violations. */
export async function expectAxeClean(page, where) {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ` +
    v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' — ' + n.failureSummary?.split('\n').slice(1, 2).join('')).join('\n    '));
  assert.deepEqual(summary, [], `axe violations on ${where} (${page.url()}):\n  ${summary.join('\n  ')}`);
}

/** The app link of an e-mail (quoted-printable or not), as a path + query on our server. */
export function linkFrom(mail, path) {
  const text = mail.replace(/=\r?\n/g, '').replace(/=3D/gi, '=');
  const m = text.match(new RegExp(`https?://[^\\s"<>]+?${path.replace(/[?]/g, '\\?')}\\?jeton=[A-Za-z0-9_\\-.~%]+`));
  assert.ok(m, `no ${path} link in the e-mail:\n${mail}`);
  const u = new URL(m[0]);
  return u.pathname + u.search;
}

export const heading = (page) => page.locator('main h1');

/**
 * Email + password then the TOTP code, through the login page. A TOTP step serves once per account: when the
 * server says the code was already used (an API login of the same account in the same 30 s), the next step is
 * tried, then a fresh one.
 */
export async function loginThroughUi(page, { email, password, secret, totp_secret, stepOffset = 0 }) {
  secret = secret ?? totp_secret;
  await page.goto('/connexion');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  const code = page.getByLabel('Code à 6 chiffres');
  await code.waitFor();
  const greeting = page.getByTestId('greeting');
  const used = page.getByRole('alert').filter({ hasText: 'déjà été utilisé' });
  for (let attempt = 0; attempt < 4; attempt++) {
    if (attempt === 2) await page.waitForTimeout(30000 - (Date.now() % 30000) + 200);
    await code.fill(totp(secret, Date.now(), (stepOffset + attempt) % 2));
    await page.getByRole('button', { name: 'Valider' }).click();
    const which = await Promise.race([greeting.waitFor().then(() => 'ok'), used.waitFor().then(() => 'used')]);
    if (which === 'ok') return;
  }
  throw new Error(`login ${email}: every code was already used`);
}
