// The directory in sign-up: a professional finds their national entry by RPPS number, and the account
// is linked to it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, login, startDemoServer } from '../lib/server.mjs';
import { assertProblem, demoLogin, enrol, enrolAndApprove, findEnrolment, sql } from '../lib/flows.mjs';

let server;
let operator;
before(async () => {
  server = await startDemoServer();
  operator = await demoLogin(server, 'operator');
});
after(async () => { await server?.stop(); });

test('RPPS lookup for sign-up: the entry, its sites; unknown → 404; malformed → 422; no session needed', async () => {
  const [id, rpps, last] = sql(server.db, "SELECT id, rpps, last_name FROM professionals WHERE structure_id IS NOT NULL ORDER BY id LIMIT 1")
    .trim().split('|');
  const found = await api(server, 'GET', `/api/v1/directory/rpps/${rpps}`);
  assert.equal(found.status, 200, found.text);
  assert.equal(found.json.professional_id, id);
  assert.equal(found.json.last_name, last);
  assert.ok(found.json.sites.length >= 1 && found.json.sites[0].structure_id, 'the salaried site names its structure');
  assertProblem(await api(server, 'GET', '/api/v1/directory/rpps/99999999999'), 404, 'not-found');
  assertProblem(await api(server, 'GET', '/api/v1/directory/rpps/123'), 422, 'invalid-field');
});

test('an account signed up with an RPPS number is linked to its directory entry', async () => {
  const [id, rpps] = sql(server.db, 'SELECT id, rpps FROM professionals WHERE rpps IS NOT NULL ORDER BY id DESC LIMIT 1').trim().split('|');
  const a = await enrolAndApprove(server, operator.token, { extra: { rpps } });
  const token = await login(server, a.email, a.password, a.secret);
  const me = await api(server, 'GET', '/api/v1/me', { token });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.rpps, rpps);
  assert.equal(me.json.professional_id, id);
  const other = await enrolAndApprove(server, operator.token);
  const token2 = await login(server, other.email, other.password, other.secret);
  // No RPPS: no national entry, but a local one of its own, so that colleagues find it by name.
  const me2 = (await api(server, 'GET', '/api/v1/me', { token: token2 })).json;
  assert.equal(me2.professional_id, other.id, 'its own local entry');
  assert.equal(me2.professional_link, 'local');
});

test('a structure proposed at sign-up enters the directory and the structure picker when the operator approves', async () => {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const tag = Array.from({ length: 7 }, () => letters[Math.floor(Math.random() * 26)]).join('');
  const name = `Passerelle ${tag} aide aux aidants`;
  const picker = async (q) => (await api(server, 'GET', `/api/v1/structures?q=${encodeURIComponent(q)}`)).json.items
    .filter((s) => s.name === name);
  const search = async () => {
    const r = await api(server, 'GET', `/api/v1/directory/search?q=passerelle+${tag}`, { token: operator.token });
    assert.equal(r.status, 200, r.text);
    return r.json.items.filter((i) => i.kind === 'structure' && i.name === name);
  };
  const applicant = await enrol(server, { extra: { structure_proposal: { name, commune: 'Épernay' } } });
  assert.deepEqual(await picker(`passerelle ${tag}`), [], 'a proposal is not offered before approval');
  const item = await findEnrolment(server, operator.token, applicant.email);
  const approved = await api(server, 'POST', `/api/v1/enrolments/${item.id}/approve`, { token: operator.token, body: { role: 'professional' } });
  assert.equal(approved.status, 200, approved.text);
  // Every word of the name or the commune starts a match in the picker, the first one included.
  for (const q of ['passerelle', `Passerelle ${tag}`, `${tag} épernay`, 'aidants']) {
    assert.equal((await picker(q)).length, 1, `the picker finds it by "${q}"`);
  }
  // The directory's index follows the approval through the change log.
  const end = Date.now() + 5000;
  while ((await search()).length === 0) {
    assert.ok(Date.now() < end, 'the approved structure is found by the directory search within 5 s');
    await new Promise((r) => setTimeout(r, 100));
  }
});
