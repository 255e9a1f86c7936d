// Identity vigilance (docs/patients.md, "Identity"): the near-twins that the RNIV asks to look for before a
// record is created — day and month of birth swapped (09/08 typed for 08/09), a birth name that is another
// record's used name (a married name taken for the birth name) — are proposed as possible duplicates like the
// other twins (409 possible-duplicate with candidates); sending again with confirm_not_duplicate creates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, startDemoServer } from '../lib/server.mjs';
import { assertProblem, demoLogin } from '../lib/flows.mjs';
import { P, newPatientBody, randomName } from '../lib/patients.mjs';

let server;
let coord;
before(async () => {
  server = await startDemoServer();
  coord = await demoLogin(server, 'coordinator');
});
after(async () => { await server?.stop(); });

const create = (body) => api(server, 'POST', P, { token: coord.token, body });
async function existing(over) {
  const res = await create(newPatientBody({ sex: 'F', birthplace_code: '51454', ...over }));
  assert.equal(res.status, 201, res.text);
  return res.json;
}
function assertTwin(res, twin, what) {
  const p = assertProblem(res, 409, 'possible-duplicate', what);
  const c = p.candidates.find((x) => x.id === twin.id);
  assert.ok(c, `${what}: the existing record is a candidate (${JSON.stringify(p.candidates)})`);
  assert.equal(c.reason, 'traits');
  return p;
}
const traits = (pt) => ({
  birth_name: pt.birth_name, birth_first_names: pt.birth_first_names, first_name: pt.first_name, birth_date: pt.birth_date,
  sex: pt.sex, birthplace_code: pt.birthplace_code,
});

test('day and month of birth swapped (09/08 for 08/09) → possible duplicate, even without the birthplace', async () => {
  const pt = await existing({ birth_date: '1950-09-08' });
  const swapped = { ...traits(pt), birth_date: '1950-08-09' };
  assertTwin(await create({ ...swapped, birthplace_code: '' }), pt, 'swapped day and month, birthplace unknown');
  assertTwin(await create({ ...swapped, birthplace_code: '10387' }), pt, 'swapped day and month, another birthplace');
  // Accents and case do not hide it.
  assertTwin(await create({ ...swapped, birthplace_code: '', birth_name: pt.birth_name.toLowerCase() }), pt, 'lower case');
  // A swap needs both parts known and different: another first name or another sex is another person.
  assert.equal((await create({ ...swapped, birthplace_code: '', first_name: undefined, birth_first_names: 'Odette' })).status, 201);
  assert.equal((await create({ ...swapped, birthplace_code: '', sex: 'M' })).status, 201);
  // Confirmed: created.
  const confirmed = await create({ ...swapped, birthplace_code: '', confirm_not_duplicate: true });
  assert.equal(confirmed.status, 201, confirmed.text);
});

test('a swap is only looked for when it is a date: 18/09 has no swapped twin, 05/05 is its own swap, 00 is unknown', async () => {
  const late = await existing({ birth_date: '1961-09-18' });
  // 1961-18-09 does not exist: only the exact date matters (another day of the same month is another person).
  assert.equal((await create({ ...traits(late), birth_date: '1961-09-19', birthplace_code: '' })).status, 201);
  const unknownDay = await existing({ birth_date: '1972-03-00' });
  assert.equal((await create({ ...traits(unknownDay), birth_date: '1972-00-00', birthplace_code: '' })).status, 201,
    'an unknown day is not a swap');
  const sameDayMonth = await existing({ birth_date: '1983-05-05' });
  assertTwin(await create({ ...traits(sameDayMonth), birthplace_code: '' }), sameDayMonth, 'exact twin (05/05)');
});

test('a birth name that is another record\'s used name → possible duplicate (swapped date or same birthplace and year)', async () => {
  const married = randomName(9);
  const pt = await existing({ birth_date: '1944-11-03', used_name: married });
  assert.equal(pt.used_name, married);
  // Her married name typed as the birth name (no used name), everything else the same: already a twin before.
  const base = { ...traits(pt), birth_name: married };
  assertTwin(await create({ ...base, birthplace_code: '' }), pt, 'birth name = used name, same birth date');
  // … with day and month swapped.
  assertTwin(await create({ ...base, birth_date: '1944-03-11', birthplace_code: '' }), pt, 'birth name = used name, swapped date');
  // … same birthplace and year, the day mistyped.
  assertTwin(await create({ ...base, birth_date: '1944-11-13' }), pt, 'birth name = used name, same birthplace and year');
  // … and the other way round: a record whose used name is this one's birth name.
  assertTwin(await create({ ...traits(pt), birth_name: randomName(9), used_name: pt.birth_name, birth_date: '1944-11-23' }), pt,
    'used name = birth name, same birthplace and year');
  // Someone else: same married name, other first name.
  assert.equal((await create({ ...base, first_name: undefined, birth_first_names: 'Ginette', birth_date: '1944-11-13' })).status, 201);
});
