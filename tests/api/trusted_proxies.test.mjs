// Behind a load balancer (`trusted_proxies`): X-Forwarded-For is believed only from a trusted proxy, and the client
// is the right-most address that is not itself a trusted proxy. That address is the one the login throttle counts
// and the audit trail records; a client cannot choose it by sending its own X-Forwarded-For.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freshDatabase, runCli, api } from '../lib/server.mjs';
import { assertProblem, demoAccount, sql, uniqueEmail } from '../lib/flows.mjs';

// The address the audit trail recorded for the last failed login of `email`.
function auditedAddress(db, email) {
  return sql(db, `SELECT ip FROM audit_log WHERE action = 'auth.login' AND outcome = 'failure' AND detail LIKE '%${email}%' ` +
    'ORDER BY seq DESC LIMIT 1').trim();
}

async function failedLogin(server, email, forwardedFor) {
  const headers = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
  return api(server, 'POST', '/api/v1/auth/login', { body: { email, password: 'Mauvais-mot-de-passe' }, headers });
}

function demoDb() {
  const db = freshDatabase();
  runCli(['demo'], db);
  return db;
}

describe('trusted_proxies = 127.0.0.1, 10.0.0.0/8 (the tests connect from 127.0.0.1)', () => {
  let server;
  before(async () => { server = await startServer({ db: demoDb(), args: ['--trusted-proxies', '127.0.0.1, 10.0.0.0/8'] }); });
  after(async () => { await server?.stop(); });

  test('the client is the address the proxy appended; what the client wrote to its left is ignored', async () => {
    const cases = [
      ['198.51.100.7', '198.51.100.7'],
      ['203.0.113.99, 198.51.100.8', '198.51.100.8'],        // 203.0.113.99 was sent by the client itself
      ['198.51.100.9, 10.1.2.3', '198.51.100.9'],            // through two of our proxies
      ['198.51.100.10:5120', '198.51.100.10'],               // with a port
      ['[2001:db8::7]:443', '2001:db8::7'],
    ];
    for (const [header, expected] of cases) {
      const email = uniqueEmail('xff');
      assertProblem(await failedLogin(server, email, header), 401, 'invalid-credentials', header);
      assert.equal(auditedAddress(server.db, email), expected, `X-Forwarded-For: ${header}`);
    }
    const email = uniqueEmail('direct');
    await failedLogin(server, email);
    assert.equal(auditedAddress(server.db, email), '127.0.0.1', 'no header: the peer');
  });

  test('the address throttle counts the client, not the proxy: 50 failures from one client, the others still try', async () => {
    const results = [];
    for (let batch = 0; batch < 5; batch++) {
      results.push(...await Promise.all(Array.from({ length: 10 }, () => failedLogin(server, uniqueEmail('flood'), '192.0.2.50'))));
    }
    assert.deepEqual(results.map((r) => r.status).filter((s) => s !== 401), [], '50 failures checked');
    assertProblem(await failedLogin(server, uniqueEmail('flood'), '192.0.2.50'), 429, 'too-many-attempts', '51st from the client');
    assertProblem(await failedLogin(server, uniqueEmail('flood'), '203.0.113.1, 192.0.2.50'), 429, 'too-many-attempts',
      'the client cannot escape by writing another address to the left');
    assertProblem(await failedLogin(server, uniqueEmail('other'), '192.0.2.51'), 401, 'invalid-credentials', 'another client behind the same proxy');
    const acct = demoAccount(server.db, 'coordinator');
    const ok = await api(server, 'POST', '/api/v1/auth/login', {
      body: { email: acct.email, password: acct.password }, headers: { 'x-forwarded-for': '192.0.2.52' },
    });
    assert.equal(ok.status, 200, ok.text);
  });
});

describe('without trusted_proxies (the default)', () => {
  let server;
  before(async () => { server = await startServer({ db: demoDb() }); });
  after(async () => { await server?.stop(); });

  test('X-Forwarded-For is ignored: the address is the connection\'s', async () => {
    const email = uniqueEmail('spoof');
    await failedLogin(server, email, '198.51.100.66');
    assert.equal(auditedAddress(server.db, email), '127.0.0.1');
  });
});

describe('trusted_proxies that do not include the peer', () => {
  let server;
  before(async () => { server = await startServer({ db: demoDb(), env: { CORDEE_TRUSTED_PROXIES: '10.0.0.0/8' } }); });
  after(async () => { await server?.stop(); });

  test('X-Forwarded-For from an untrusted peer is ignored', async () => {
    const email = uniqueEmail('untrusted');
    await failedLogin(server, email, '198.51.100.67');
    assert.equal(auditedAddress(server.db, email), '127.0.0.1');
  });
});

test('a trusted_proxies entry that is not an address or a network stops the start with a clear message', async () => {
  await assert.rejects(startServer({ args: ['--trusted-proxies', '10.0.0.0/33'] }), /trusted_proxies.*10\.0\.0\.0\/33/);
  await assert.rejects(startServer({ args: ['--trusted-proxies', '10.1.2.3/8'] }), /trusted_proxies.*10\.1\.2\.3\/8/);
});
