// The access matrix of the patients API (docs/patients.md, "Who may see what"), generated: every patient
// endpoint × every kind of caller (role, membership state, break-the-glass) × entry visibility where it
// matters. The expected answer of each cell is computed from the written rules (RULES below), never typed
// per cell; each denied cell must leave a `denied` audit line and each allowed one a `success` line.
// A guard test checks that no route under /api/v1/patients (docs/patients.md, docs/openapi.yaml as served
// at /api/v1/openapi.json, `cordee routes`) is missing from the table.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { api, binary, repoRoot, freshDatabase, runCli, startServer } from '../lib/server.mjs';
import { assertProblem, demoLogin, sql } from '../lib/flows.mjs';
import {
  P, addMember, patchMember, auditCount, auditMaxSeq, breakGlass, canSeeEntry, createPatient, insiFile,
  insiIdentities, isHealthProfession, newPatientBody, newProfessional, profileOf, rawApi, structureId, text,
  traitsOf, uploadForSetup, writeEntry, allPages, randomName,
} from '../lib/patients.mjs';

const HOUR = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString();
const normalise = (line) => line.trim().replace(/\{[^}]*\}/g, '{}').replace(/\s+/g, ' ');

let server;
const C = {}; // callers by key
const ctx = {}; // the shared patient, its entries, attachments, alerts
let insiPool = [];

// --- callers ---------------------------------------------------------------------------------------------
// membership: state of the caller's membership in the shared patient's circle.
const CALLERS = [
  { key: 'coord', label: 'coordinatrice, référente (membre actif, sans profession de santé)', membership: 'active', referent: true, circleRole: 'coordinateur' },
  { key: 'med', label: 'médecin membre actif (auteur, structure CPTS)', membership: 'active', circleRole: 'medecin_traitant' },
  { key: 'nurse', label: 'infirmier membre actif (autre structure)', membership: 'active', circleRole: 'infirmier' },
  { key: 'social', label: 'assistante sociale membre active', membership: 'active', circleRole: 'assistante_sociale' },
  { key: 'colleague', label: "assistante sociale membre, de la structure de l'auteur", membership: 'active', circleRole: 'assistante_sociale' },
  { key: 'viaStructure', label: 'aide-soignante membre par sa structure (SAAD)', membership: 'active', circleRole: 'structure', viaStructure: true },
  { key: 'viaProfessional', label: "médecin membre par sa fiche de l'annuaire (professional_id)", membership: 'active', circleRole: 'medecin_specialiste' },
  { key: 'ended', label: 'médecin dont la participation a pris fin', membership: 'ended', circleRole: 'medecin_specialiste' },
  { key: 'opposed', label: "infirmier auquel le patient s'est opposé", membership: 'opposed', circleRole: 'infirmier' },
  { key: 'future', label: 'médecin membre à partir de la semaine prochaine', membership: 'future', circleRole: 'medecin_specialiste' },
  { key: 'nonmember', label: 'médecin non membre', membership: 'none' },
  { key: 'glass', label: 'médecin non membre après bris de glace', membership: 'none', glass: true },
  { key: 'operator', label: 'opérateur non membre', membership: 'none' },
  { key: 'anon', label: 'sans session', membership: 'none' },
];

// How the caller reaches the shared patient: member, break_glass, operator, none or anon.
function accessOf(c) {
  if (c.key === 'anon') return 'anon';
  if (c.membership === 'active') return 'member';
  if (c.glass) return 'break_glass';
  if (c.role === 'operator') return 'operator';
  return 'none';
}

// --- the rules ---------------------------------------------------------------------------------------------
// Each returns { status: [the one expected status], audit, via }: every cell has one exact answer (a refusal to
// someone who cannot see the patient is 404, like an unknown id; to someone who can see it, 403 for a role).
const noAccess = (a) => (a === 'anon' ? { status: [401] } : { status: [404], audit: 'denied' });
const ok = (row, a) => ({ status: [row.ok || 200], audit: 'success', via: a });
const RULES = {
  // Operators administer patients but do not create them (403); there is no patient yet to audit against.
  create: (row, c, a) => (a === 'anon' ? noAccess(a) : c.role === 'operator' ? { status: [403] } : { status: [201], audit: 'success' }),
  anyone: (row, c, a) => (a === 'anon' ? noAccess(a) : { status: [200] }),
  identityRead: (row, c, a) => (['member', 'break_glass', 'operator'].includes(a) ? ok(row, a) : noAccess(a)),
  // Identity: members write it; operators administer it ("Operators administer"). A break-the-glass access reads and
  // writes clinical content only: never the identity (403).
  identityWrite: (row, c, a) => (['member', 'operator'].includes(a) ? ok(row, a)
    : a === 'break_glass' ? { status: [403], audit: 'denied' } : noAccess(a)),
  // Circle: members and operators (who administer). A break-the-glass access opens the record for 4 hours,
  // it must not let its holder join or reshape the circle (which would outlast the 4 hours): 403.
  circleWrite: (row, c, a) => (['member', 'operator'].includes(a) ? ok(row, a)
    : a === 'break_glass' ? { status: [403], audit: 'denied' } : noAccess(a)),
  // Who manages the record: the referent, members with circle role coordinateur or account role coordinator, operators.
  // They validate and qualify the identity, change roles, end others, record an opposition to another member; any other
  // member sees the patient, so the refusal is 403 (a 404 would lie). Never through break-the-glass (403).
  manage: (row, c, a) => {
    if (a === 'operator') return ok(row, a);
    if (a === 'member') return c.referent || c.circleRole === 'coordinateur' || c.role === 'coordinator' ? ok(row, a) : { status: [403], audit: 'denied' };
    if (a === 'break_glass') return { status: [403], audit: 'denied' };
    return noAccess(a);
  },
  // Clinical content: members and break-the-glass only; operators get 404 like anyone else.
  clinical: (row, c, a) => (['member', 'break_glass'].includes(a) ? ok(row, a) : noAccess(a)),
  attachment: (row, c, a, variant) => {
    if (!['member', 'break_glass'].includes(a)) return noAccess(a);
    // A file of an entry the grant may not see does not exist for it: 404, like an unknown id.
    return canSeeEntry(c, ctx.entries[variant]) ? ok(row, a) : { status: [404], audit: 'denied' };
  },
  // Vital signs are health data: a grant without health content sees the patient (403, not 404) but not them.
  vitals: (row, c, a) => {
    if (!['member', 'break_glass'].includes(a)) return noAccess(a);
    return isHealthProfession(c.profession_code) ? ok(row, a) : { status: [403], audit: 'denied' };
  },
  // Recipients are the accounts of the active members (directly or through their structure).
  ack: (row, c, a) => {
    if (a === 'member') return ok(row, a);
    if (a === 'break_glass') return { status: [403], audit: 'denied' }; // sees the alert, is not one of its recipients
    return noAccess(a);
  },
  // Operators only: whoever sees the patient (member, break-the-glass) gets 403 for the role; anyone else 404.
  merge: (row, c, a) => {
    if (a === 'operator') return ok(row, a);
    if (['member', 'break_glass'].includes(a)) return { status: [403], audit: 'denied' };
    return noAccess(a);
  },
  // Open to any active account except operators (403, who administer and never read clinical content); a current
  // member already has access (409 already-member); an access still running may be opened again (201); an ended or
  // future membership is no access (201, like anyone else); a professional the patient opposed may not force the
  // door the patient closed (403, audited: DESIGN.md §5, the opposition is honoured).
  breakGlass: (row, c, a) => {
    if (a === 'anon') return noAccess(a);
    if (c.role === 'operator') return { status: [403], audit: 'denied' };
    if (c.membership === 'active') return { status: [409] };
    if (c.membership === 'opposed') return { status: [403], audit: 'denied' };
    return { status: [201], audit: 'success' };
  },
  // The circle's conversation: its members only. A break-the-glass access opens the record for one visit, not the
  // circle's conversation (403: it sees the patient); operators, like anyone outside the circle, 404.
  conversation: (row, c, a) => (a === 'member' ? ok(row, a)
    : a === 'break_glass' ? { status: [403], audit: 'denied' } : noAccess(a)),
  // Referent members, members with role coordinateur, operators.
  accessLog: (row, c, a) => {
    if (a === 'operator') return ok(row, a);
    if (a === 'member') return c.referent || c.circleRole === 'coordinateur' ? ok(row, a) : { status: [403], audit: 'denied' };
    if (a === 'break_glass') return { status: [403], audit: 'denied' };
    return noAccess(a);
  },
};
const SLUG = { 401: 'unauthenticated', 403: 'forbidden', 404: 'not-found', 409: 'already-member' };

// --- preparation helpers -------------------------------------------------------------------------------------
// Puts the caller in its membership state on another patient (for cells that change the patient).
async function putInState(pid, c) {
  const coord = C.coord.token;
  switch (c.key) {
    case 'coord': case 'operator': case 'anon': case 'nonmember': return;
    case 'glass': await breakGlass(server, c.token, pid); return;
    case 'viaStructure': await addMember(server, coord, pid, { structure_id: ctx.saad, role: 'structure' }); return;
    case 'viaProfessional': await addMember(server, coord, pid, { professional_id: ctx.directoryEntry, role: c.circleRole }); return;
    case 'future': await addMember(server, coord, pid, { account_id: c.account_id, role: c.circleRole, start: iso(Date.now() + 7 * 24 * HOUR) }); return;
    case 'ended': await endedMember(pid, c); return;
    case 'opposed': {
      const m = await addMember(server, coord, pid, { account_id: c.account_id, role: c.circleRole });
      const r = await api(server, 'POST', `${P}/${pid}/circle/${m.id}/opposition`, { token: coord, body: { how: 'oral', reason: "Le patient ne souhaite plus ce suivi" } });
      assert.equal(r.status, 200, `opposition: ${r.text}`);
      return;
    }
    default: await addMember(server, coord, pid, { account_id: c.account_id, role: c.circleRole });
  }
}
// A member from two days ago whose end is set in the past (an hour ago) with PATCH end.
async function endedMember(pid, c) {
  const m = await addMember(server, C.coord.token, pid, { account_id: c.account_id, role: c.circleRole, start: iso(Date.now() - 48 * HOUR) });
  const ended = await patchMember(server, C.coord.token, pid, m, { end: iso(Date.now() - HOUR) });
  assert.equal(ended.status, 'ended', `the member is ended: ${JSON.stringify(ended)}`);
  return ended;
}
async function freshPatientFor(c, over = {}) {
  const pt = await createPatient(server, C.coord.token, over);
  await putInState(pt.id, c);
  return pt;
}
async function contactMember() {
  return addMember(server, C.coord.token, ctx.patient.id, {
    contact: { name: `Voisin ${randomName(6)}`, phone: '03 26 00 00 00', relation: 'voisin' }, role: 'proche_aidant',
  });
}
const hasAccess = (c) => ['member', 'break_glass'].includes(accessOf(c));
// The shared alert was raised by the referent to the whole circle: every active member's account but hers.
const recipientOfSharedAlert = (c) => c.membership === 'active' && c.key !== 'coord';

// --- the table: every patient endpoint ---------------------------------------------------------------------------
// prepare(caller, variant) → { params, query, body, headers, raw } ; check(res, caller, variant, prep) for 2xx.
const ROWS = [
  { method: 'POST', path: '/api/v1/patients', rule: 'create', ok: 201,
    prepare: () => ({ body: newPatientBody() }), target: (res) => res.json?.id,
    check: (res) => {
      assert.equal(res.json.access?.via, 'member', 'the creator is a member');
      assert.equal(res.json.access?.referent, true, 'the creator is the referent');
      assert.equal(res.json.ins, null);
    } },
  { method: 'GET', path: '/api/v1/patients', rule: 'anyone', variants: ['precise', 'prefix'],
    prepare: (c, v) => ({
      query: v === 'precise' ? `?q=${encodeURIComponent(ctx.patient.birth_name)}&birth_date=${ctx.patient.birth_date}`
        : `?q=${encodeURIComponent(ctx.patient.birth_name.slice(0, 6).toLowerCase())}`,
    }),
    check: (res, c, v) => {
      const item = res.json.items.find((i) => i.id === ctx.patient.id);
      const a = accessOf(c);
      if (v === 'precise') {
        assert.ok(item, 'a name plus a full birth date finds the patient, whoever asks');
        assert.equal(item.access, a, 'summary.access');
      } else if (a === 'none') {
        assert.equal(item, undefined, 'a name prefix alone does not reveal a patient one cannot access');
      } else {
        assert.ok(item, 'a patient one may access matches on a name prefix');
        assert.equal(item.access, a);
      }
    } },
  { method: 'GET', path: '/api/v1/patients/mine', rule: 'anyone',
    prepare: () => ({ query: '?limit=200' }),
    check: (res, c) => {
      const item = res.json.items.find((i) => i.id === ctx.patient.id);
      if (c.membership === 'active') {
        assert.ok(item, 'an active member finds the patient in "mine"');
        assert.equal(item.referent, !!c.referent);
      } else {
        // Ended, opposed, not yet started, none, break-the-glass: "mine" lists active memberships only.
        assert.equal(item, undefined, 'a patient without an active membership is not in "mine"');
      }
    } },
  { method: 'GET', path: '/api/v1/patients/{id}', rule: 'identityRead',
    prepare: () => ({ params: { id: ctx.patient.id } }),
    check: (res, c) => {
      const a = accessOf(c);
      assert.equal(res.json.id, ctx.patient.id);
      assert.equal(res.json.birth_name, ctx.patient.birth_name);
      assert.equal(res.json.access?.via, a, 'access.via');
      assert.equal(res.json.access?.clinical, a !== 'operator', 'access.clinical');
      if (a !== 'operator') assert.equal(res.json.access?.health, isHealthProfession(c.profession_code), 'access.health');
      if (a === 'break_glass') assert.ok(Date.parse(res.json.access.break_glass_until) > Date.now(), 'break_glass_until in the future');
      assert.equal(res.json.ins, null, 'no INS before qualification');
    } },
  { method: 'PATCH', path: '/api/v1/patients/{id}', rule: 'identityWrite',
    prepare: async () => {
      const cur = await api(server, 'GET', `${P}/${ctx.patient.id}`, { token: C.coord.token });
      return { params: { id: ctx.patient.id }, body: { phone: `03 26 ${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}` },
        headers: { 'if-match': String(cur.json.version) } };
    },
    check: (res, c, v, prep) => assert.equal(res.json.phone, prep.body.phone) },
  { method: 'POST', path: '/api/v1/patients/{id}/validate', rule: 'manage',
    prepare: async (c) => ({ params: { id: (await freshPatientFor(c)).id }, body: { document: 'cni' } }),
    check: (res) => { assert.equal(res.json.identity_status, 'validee'); assert.equal(res.json.ins, null); } },
  { method: 'POST', path: '/api/v1/patients/{id}/qualify', rule: 'manage',
    prepare: async (c) => {
      const identity = insiPool.pop();
      assert.ok(identity, 'an INSi identity is left for this cell');
      const pt = await createPatient(server, C.coord.token, traitsOf(identity));
      const v = await api(server, 'POST', `${P}/${pt.id}/validate`, { token: C.coord.token, body: { document: 'passeport' } });
      assert.equal(v.status, 200, `validate: ${v.text}`);
      await putInState(pt.id, c);
      return { params: { id: pt.id }, body: {}, identity };
    },
    check: (res, c, v, prep) => {
      assert.equal(res.json.identity_status, 'qualifiee');
      assert.equal(res.json.ins?.matricule, prep.identity.matricule);
    } },
  { method: 'POST', path: '/api/v1/patients/{id}/merge', rule: 'merge',
    prepare: async (c) => {
      const survivor = await freshPatientFor(c);
      const dup = await createPatient(server, C.coord.token);
      return { params: { id: survivor.id }, body: { duplicate_id: dup.id }, dup };
    },
    check: async (res, c, v, prep) => {
      assert.equal(res.json.id, prep.params.id, 'the survivor is answered');
      const d = await api(server, 'GET', `${P}/${prep.dup.id}`, { token: C.operator.token });
      assert.equal(d.json?.status, 'merged');
      assert.equal(d.json?.merged_into, prep.params.id);
    } },
  { method: 'GET', path: '/api/v1/patients/{id}/circle', rule: 'identityRead',
    prepare: () => ({ params: { id: ctx.patient.id } }),
    check: (res) => {
      const byAccount = (k) => res.json.items.find((m) => m.account_id === C[k].account_id);
      assert.equal(byAccount('med')?.status, 'active');
      assert.equal(byAccount('ended')?.status, 'ended', 'ended members are listed with their period');
      assert.ok(byAccount('ended')?.end, 'the ended member has an end');
      assert.equal(byAccount('opposed')?.status, 'opposed');
      assert.ok(byAccount('opposed')?.opposition, 'the opposition is described');
      assert.equal(byAccount('future')?.status, 'future');
      assert.ok(res.json.items.some((m) => m.structure_id === ctx.saad && m.kind === 'structure'), 'the structure member');
      assert.ok(res.json.items.some((m) => m.professional_id === ctx.directoryEntry && m.kind === 'professional'), 'the directory professional');
      assert.ok(!res.json.items.some((m) => m.account_id === C.glass.account_id), 'break-the-glass does not make a member');
    } },
  { method: 'POST', path: '/api/v1/patients/{id}/circle', rule: 'circleWrite', ok: 201,
    prepare: () => ({ params: { id: ctx.patient.id }, body: { contact: { name: `Fille ${randomName(6)}`, phone: '06 00 00 00 00', relation: 'fille' }, role: 'proche_aidant' } }),
    check: (res) => { assert.equal(res.json.kind, 'contact'); assert.equal(res.json.role, 'proche_aidant'); } },
  { method: 'PATCH', path: '/api/v1/patients/{id}/circle/{member}', rule: 'manage',
    prepare: async () => {
      const m = await contactMember();
      return { params: { id: ctx.patient.id, member: m.id }, body: { role: 'autre' }, headers: { 'if-match': String(m.version) } };
    },
    check: (res) => assert.equal(res.json.role, 'autre') },
  { method: 'POST', path: '/api/v1/patients/{id}/circle/{member}/information', rule: 'circleWrite',
    prepare: async () => ({ params: { id: ctx.patient.id, member: (await contactMember()).id }, body: { how: 'oral' } }),
    check: (res) => assert.equal(res.json.informed?.how, 'oral') },
  { method: 'POST', path: '/api/v1/patients/{id}/circle/{member}/opposition', rule: 'manage',
    prepare: async () => ({ params: { id: ctx.patient.id, member: (await contactMember()).id }, body: { how: 'ecrit', reason: 'Refus écrit' } }),
    check: (res) => { assert.equal(res.json.status, 'opposed'); assert.equal(res.json.opposition?.how, 'ecrit'); } },
  { method: 'GET', path: '/api/v1/patients/{id}/notebook', rule: 'clinical',
    prepare: () => ({ params: { id: ctx.patient.id } }),
    check: async (res, c) => {
      const items = await allPages(server, c.token, `${P}/${ctx.patient.id}/notebook`);
      for (const [name, entry] of Object.entries(ctx.entries)) {
        const shown = items.some((i) => i.id === entry.id);
        assert.equal(shown, canSeeEntry(c, entry), `entry "${name}" (${entry.visibility}) shown=${shown}`);
      }
      assert.ok(items.every((i) => canSeeEntry(c, { visibility: i.visibility, structure_id: i.author?.structure_id })),
        'no entry outside the caller\'s visibility');
      const withVitals = items.filter((i) => i.vitals !== null).length;
      if (isHealthProfession(c.profession_code)) assert.ok(withVitals > 0, 'a health grant reads the vital signs');
      else assert.equal(withVitals, 0, 'no vital signs without health content');
    } },
  { method: 'GET', path: '/api/v1/patients/{id}/vitals', rule: 'vitals',
    prepare: () => ({ params: { id: ctx.patient.id } }),
    check: (res) => {
      assert.ok(res.json.series.systolic.some((p) => p.value === 150), 'the setup entries\' systolic is in the history');
      assert.deepEqual(res.json.ranges.systolic, { low: 90, high: 140 });
    } },
  { method: 'POST', path: '/api/v1/patients/{id}/notebook', rule: 'clinical', ok: 201,
    prepare: () => ({ params: { id: ctx.patient.id }, body: { kind: 'transmission', visibility: 'circle', body: 'Passage ce matin, RAS.' } }),
    check: (res, c) => { assert.equal(res.json.version, 1); assert.equal(res.json.author?.account_id, c.account_id); } },
  { method: 'POST', path: '/api/v1/patients/{id}/notebook/{entry}/corrections', rule: 'clinical', ok: 201,
    prepare: async (c) => {
      // The caller corrects its own entry when it may write; otherwise it tries the médecin's.
      const entry = hasAccess(c) ? await writeEntry(server, c.token, ctx.patient.id, { body: 'Poids 71 kg' }) : ctx.entries.circle;
      return { params: { id: ctx.patient.id, entry: entry.id }, body: { body: 'Poids 71,5 kg (corrigé)' }, headers: { 'if-match': '1' }, entry };
    },
    check: (res, c, v, prep) => { assert.equal(res.json.version, 2); assert.equal(res.json.supersedes, prep.entry.id); } },
  { method: 'POST', path: '/api/v1/patients/{id}/attachments', rule: 'clinical', ok: 201,
    prepare: () => ({ params: { id: ctx.patient.id }, query: '?name=compte-rendu.txt', raw: text(`Compte rendu ${randomName(12)}\n`) }),
    check: (res) => { assert.match(res.json.mime, /^text\/plain/); assert.ok(res.json.id); } },
  { method: 'GET', path: '/api/v1/patients/{id}/attachments/{attachment}', rule: 'attachment', variants: ['circle', 'health', 'structure'],
    prepare: (c, v) => ({ params: { id: ctx.patient.id, attachment: ctx.attachments[v].id }, download: true }),
    check: (res, c, v) => {
      assert.equal(res.bytes.toString('utf8'), ctx.attachmentBytes[v].toString('utf8'), 'the bytes uploaded');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    } },
  { method: 'GET', path: '/api/v1/patients/{id}/alerts', rule: 'clinical',
    prepare: () => ({ params: { id: ctx.patient.id }, query: '?state=all' }),
    check: (res, c) => {
      const a0 = res.json.items.find((i) => i.id === ctx.alert.id);
      assert.ok(a0, 'the alert raised to the whole circle is listed');
      assert.equal(a0.for_me, recipientOfSharedAlert(c), 'for_me');
    } },
  { method: 'POST', path: '/api/v1/patients/{id}/alerts', rule: 'clinical', ok: 201,
    prepare: () => ({ params: { id: ctx.patient.id }, body: { kind: 'autre', severity: 'info', body: 'Rendez-vous de contrôle à programmer.' } }),
    check: (res, c) => { assert.equal(res.json.raised_by?.account_id, c.account_id); assert.ok(res.json.recipients.length >= 5); } },
  { method: 'POST', path: '/api/v1/patients/{id}/alerts/{alert}/ack', rule: 'ack',
    prepare: async (c) => {
      const raiser = c.key === 'med' ? C.nurse : C.med;
      const r = await api(server, 'POST', `${P}/${ctx.patient.id}/alerts`, { token: raiser.token, body: { kind: 'chute', severity: 'importante', body: 'Chute sans gravité.' } });
      assert.equal(r.status, 201, `raise: ${r.text}`);
      return { params: { id: ctx.patient.id, alert: r.json.id } };
    },
    check: (res) => assert.equal(res.json.acknowledged_by_me, true) },
  { method: 'GET', path: '/api/v1/alerts', rule: 'anyone',
    prepare: () => ({ query: '?state=open' }),
    check: (res, c) => {
      assert.ok(Number.isInteger(res.json.count) && res.json.count >= res.json.items.length, `count ${res.json.count}`);
      const a0 = res.json.items.some((i) => i.id === ctx.alert.id);
      if (recipientOfSharedAlert(c)) assert.ok(a0, 'a recipient sees the open alert');
      if (c.key === 'coord') assert.ok(!a0, 'the one who raised it is not a recipient');
      if (['ended', 'opposed'].includes(c.membership) || c.key === 'nonmember' || c.role === 'operator') {
        assert.ok(!a0, 'only alerts of patients still accessible');
      }
    } },
  // Opened once by the referent before the cells, so that every member's answer is the existing conversation (200).
  { method: 'POST', path: '/api/v1/patients/{id}/conversation', rule: 'conversation',
    prepare: async () => {
      const r = await api(server, 'POST', `${P}/${ctx.patient.id}/conversation`, { token: C.coord.token });
      assert.ok([200, 201].includes(r.status), r.text);
      return { params: { id: ctx.patient.id } };
    },
    check: (res, c) => {
      assert.equal(res.json.kind, 'patient');
      assert.ok(res.json.members.some((m) => m.account_id === c.account_id && m.active), 'the caller is a member');
    } },
  { method: 'GET', path: '/api/v1/patients/{id}/timeline', rule: 'clinical',
    prepare: () => ({ params: { id: ctx.patient.id } }),
    check: async (res, c) => {
      const items = await allPages(server, c.token, `${P}/${ctx.patient.id}/timeline?kind=notebook`);
      for (const [name, entry] of Object.entries(ctx.entries)) {
        const shown = items.some((i) => i.ref_id === entry.id);
        assert.equal(shown, canSeeEntry(c, entry), `timeline item of entry "${name}" (${entry.visibility}) shown=${shown}`);
      }
      if (!isHealthProfession(c.profession_code)) assert.ok(items.every((i) => i.visibility !== 'health'), 'no health item');
    } },
  { method: 'POST', path: '/api/v1/patients/{id}/break-glass', rule: 'breakGlass', ok: 201,
    prepare: async (c) => ({ params: { id: (await freshPatientFor(c)).id }, body: { reason: 'Appel du SAMU : patiente inconsciente à domicile' } }),
    check: (res) => {
      const until = Date.parse(res.json.until);
      assert.ok(Math.abs(until - Date.now() - 4 * HOUR) < 5 * 60 * 1000, `until ≈ now + 4 h (${res.json.until})`);
    } },
  { method: 'GET', path: '/api/v1/patients/{id}/access-log', rule: 'accessLog',
    prepare: () => ({ params: { id: ctx.patient.id } }),
    check: (res) => {
      assert.ok(res.json.items.some((i) => i.actor?.account_id === C.glass.account_id && i.via === 'break_glass' && i.reason),
        'the break-the-glass access is in the log with its reason');
    } },
];

// --- set-up ------------------------------------------------------------------------------------------------
before(async () => {
  // The served OpenAPI file is exactly docs/openapi.yaml (what `npm run build` in web/ publishes).
  const webRoot = mkdtempSync(join(tmpdir(), 'cordee-webroot-'));
  writeFileSync(join(webRoot, 'openapi.json'), JSON.stringify(parse(readFileSync(join(repoRoot, 'docs', 'openapi.yaml'), 'utf8'))));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Cordée</title>');
  insiPool = insiIdentities(CALLERS.length + 2);
  const db = freshDatabase();
  runCli(['demo'], db);
  writeFileSync(join(db.dataDir, 'insi.json'), JSON.stringify(insiFile(insiPool)));
  server = await startServer({ db, webRoot });

  const operator = await demoLogin(server, 'operator');
  const demo = { coord: await demoLogin(server, 'coordinator'), med: await demoLogin(server, 'professional', 0),
    nurse: await demoLogin(server, 'professional', 1), social: await demoLogin(server, 'professional', 2), operator };
  ctx.cpts = structureId(server.db, 'CPTS Reims Centre');
  ctx.saad = structureId(server.db, 'SAAD Aide à domicile Champagne');
  const extra = {
    colleague: { profession_code: 'ASS', profession_label: 'Assistant de service social', structure_id: ctx.cpts },
    viaStructure: { profession_code: 'AS', profession_label: 'Aide-soignant', structure_id: ctx.saad },
    viaProfessional: {}, ended: {}, opposed: { profession_code: '60', profession_label: 'Infirmier' }, future: {}, nonmember: {}, glass: {},
  };
  for (const c of CALLERS) {
    if (c.key === 'anon') { Object.assign(C, { anon: { ...c, token: null, account_id: null, structures: [], profession_code: '' } }); continue; }
    const account = demo[c.key] ? { ...demo[c.key], ...(await profileOf(server, demo[c.key].token)) }
      : await newProfessional(server, operator.token, extra[c.key]);
    C[c.key] = { ...c, ...account, key: c.key, label: c.label };
  }
  // The account of a directory professional: linked in the database (the link is made by sign-up checks
  // that are not part of this API).
  ctx.directoryEntry = sql(server.db, "SELECT id FROM professionals WHERE id NOT IN (SELECT professional_id FROM accounts WHERE professional_id IS NOT NULL) ORDER BY id LIMIT 1").trim();
  assert.ok(ctx.directoryEntry, 'a directory professional');
  sql(server.db, `UPDATE accounts SET professional_id = '${ctx.directoryEntry}' WHERE id = '${C.viaProfessional.account_id}'`);
  assert.equal(C.med.profession_code, '10');
  assert.ok(C.med.structures.includes(ctx.cpts), 'the médecin belongs to the CPTS');
  assert.equal(C.social.profession_code, 'ASS');
  assert.equal(C.operator.role, 'operator');

  // The shared patient: every membership state at once.
  const coord = C.coord.token;
  ctx.patient = await createPatient(server, coord);
  const pid = ctx.patient.id;
  for (const k of ['med', 'nurse', 'social', 'colleague']) await addMember(server, coord, pid, { account_id: C[k].account_id, role: C[k].circleRole });
  await addMember(server, coord, pid, { structure_id: ctx.saad, role: 'structure' });
  await addMember(server, coord, pid, { professional_id: ctx.directoryEntry, role: C.viaProfessional.circleRole });
  const endedStart = await addMember(server, coord, pid, { account_id: C.ended.account_id, role: C.ended.circleRole, start: iso(Date.now() - 48 * HOUR) });
  const opposed = await addMember(server, coord, pid, { account_id: C.opposed.account_id, role: C.opposed.circleRole });
  await addMember(server, coord, pid, { account_id: C.future.account_id, role: C.future.circleRole, start: iso(Date.now() + 7 * 24 * HOUR) });

  // Entries of each visibility, each holding an attachment.
  ctx.attachments = {};
  ctx.attachmentBytes = {};
  ctx.entries = {};
  for (const v of ['circle', 'health', 'structure']) {
    ctx.attachmentBytes[v] = text(`Pièce ${v} ${randomName(10)}\n`);
    const up = await uploadForSetup(server, C.med.token, pid, `piece-${v}.txt`, ctx.attachmentBytes[v], 'text/plain');
    assert.equal(up.status, 201, `upload: ${up.text}`);
    ctx.attachments[v] = up.json;
    const e = await writeEntry(server, C.med.token, pid, {
      visibility: v, body: `Entrée ${v}`, attachments: [up.json.id], ...(v === 'structure' ? { structure_id: ctx.cpts } : {}),
      vitals: { systolic: 150, heart_rate: 80 },  // health data in every visibility: only health grants read them
    });
    ctx.entries[v] = { id: e.id, visibility: v, structure_id: e.author?.structure_id ?? ctx.cpts };
    assert.equal(e.visibility, v);
    if (v === 'structure') assert.equal(e.author?.structure_id, ctx.cpts, 'a structure entry names the author\'s structure');
  }
  const nurseStructure = C.nurse.structures[0];
  const e = await writeEntry(server, C.nurse.token, pid, { visibility: 'structure', body: 'Entrée du SSIAD', structure_id: nurseStructure });
  ctx.entries.structureNurse = { id: e.id, visibility: 'structure', structure_id: nurseStructure };

  // An alert to the whole circle, raised while the ended and opposed members were still active.
  const al = await api(server, 'POST', `${P}/${pid}/alerts`, { token: coord, body: { kind: 'aggravation', severity: 'urgente', body: 'Dyspnée inhabituelle.' } });
  assert.equal(al.status, 201, al.text);
  ctx.alert = al.json;
  assert.ok(al.json.recipients.some((r) => r.account_id === C.ended.account_id), 'the soon-ended member was a recipient');

  // Then the ends: end set in the past, opposition, break-the-glass.
  const ended = await patchMember(server, coord, pid, endedStart, { end: iso(Date.now() - HOUR) });
  assert.equal(ended.status, 'ended');
  const op = await api(server, 'POST', `${P}/${pid}/circle/${opposed.id}/opposition`, { token: coord, body: { how: 'oral', reason: 'Ne souhaite plus ce suivi' } });
  assert.equal(op.status, 200, op.text);
  await breakGlass(server, C.glass.token, pid);
});
after(async () => { await server?.stop(); });

// --- the guard: nothing is forgotten ---------------------------------------------------------------------------
const tableRoutes = new Set(ROWS.map((r) => normalise(`${r.method} ${r.path}`)));
const isPatientRoute = (r) => /^[A-Z]+ \/api\/v1\/(patients|alerts)(\/|$)/.test(r);

describe('the matrix covers every patient route', () => {
  test('every route of docs/patients.md is in the table', () => {
    const md = readFileSync(join(repoRoot, 'docs', 'patients.md'), 'utf8');
    const routes = [...md.matchAll(/`(GET|POST|PATCH|PUT|DELETE) (\/api\/v1\/[^`?\s]+)/g)].map((m) => normalise(`${m[1]} ${m[2]}`))
      .filter(isPatientRoute);
    assert.ok(routes.length >= 20, `the contract lists the patient routes (${routes.length})`);
    assert.deepEqual(routes.filter((r) => !tableRoutes.has(r)), [], 'routes of the contract missing from the matrix');
  });
  test('every /api/v1/patients path of the served OpenAPI document (/api/v1/openapi.json) is in the table', async () => {
    const res = await api(server, 'GET', '/api/v1/openapi.json');
    assert.equal(res.status, 200, res.text.slice(0, 200));
    const routes = [];
    for (const [path, item] of Object.entries(res.json.paths)) {
      for (const m of Object.keys(item)) {
        if (['get', 'post', 'patch', 'put', 'delete'].includes(m)) routes.push(normalise(`${m.toUpperCase()} ${path}`));
      }
    }
    const patientRoutes = routes.filter(isPatientRoute);
    assert.ok(patientRoutes.length >= 20, `docs/openapi.yaml documents the patient routes (${patientRoutes.length})`);
    assert.deepEqual(patientRoutes.filter((r) => !tableRoutes.has(r)), [], 'documented routes missing from the matrix');
    assert.deepEqual([...tableRoutes].filter((r) => !routes.includes(r)), [], 'matrix routes not documented in docs/openapi.yaml');
  });
  test('every patient route the server serves (`cordee routes`) is in the table, and every table route is served', () => {
    const served = execFileSync(binary, ['routes'], { encoding: 'utf8' }).split('\n').map((l) => l.trim()).filter(Boolean).map(normalise);
    const patientRoutes = served.filter(isPatientRoute);
    assert.deepEqual(patientRoutes.filter((r) => !tableRoutes.has(r)), [], 'served routes missing from the matrix');
    // A 404 expected from the policy must not be the router's "no such route".
    assert.deepEqual([...tableRoutes].filter((r) => !served.includes(r)), [], 'matrix routes the server does not serve');
  });
});

// --- the generated cells ----------------------------------------------------------------------------------------
function fill(template, params = {}) {
  return template.replace(/\{(\w+)\}/g, (_, k) => {
    assert.ok(params[k], `parameter ${k}`);
    return params[k];
  });
}

for (const row of ROWS) {
  describe(`${row.method} ${row.path}`, () => {
    for (const variant of row.variants || [null]) {
      for (const spec of CALLERS) {
        const name = `${variant ? `[${variant}] ` : ''}${spec.label}`;
        test(name, async () => {
          const c = C[spec.key];
          const a = accessOf(c);
          const expected = RULES[row.rule](row, c, a, variant);
          const prep = await row.prepare(c, variant);
          const url = fill(row.path, prep.params) + (prep.query || '');
          const since = auditMaxSeq(server.db);
          const res = prep.raw !== undefined
            ? await rawApi(server, row.method, url, { token: c.token, body: prep.raw, headers: { 'content-type': 'text/plain' } })
            : prep.download ? await rawApi(server, row.method, url, { token: c.token })
              : await api(server, row.method, url, { token: c.token, body: prep.body, headers: prep.headers });
          const where = `${row.method} ${url} as ${c.label} (access ${a}) → ${res.status} ${res.text?.slice(0, 300)}`;
          assert.ok(res.status > 0 && res.status < 500, `no server error: ${where}`);
          assert.equal(expected.status.length, 1, `one expected status per cell: ${where}`);
          assert.equal(res.status, expected.status[0], `expected ${expected.status[0]}: ${where}`);
          if (res.status >= 400) assertProblem(res, res.status, SLUG[res.status] ?? 'invalid-field', where);
          const targetId = row.target ? row.target(res, prep) : prep.params?.id;
          if (expected.audit && targetId) {
            const outcome = expected.audit === 'denied' ? 'denied' : 'success';
            const via = outcome === 'success' && row.method === 'GET' ? expected.via : undefined;
            const n = auditCount(server.db, since, { actor: c.account_id, targetId, outcome, via });
            assert.ok(n >= 1, `an audit line (target patient ${targetId}, outcome ${outcome}${via ? `, via ${via}` : ''}) for ${where}`);
          }
          if (res.status < 300 && row.check) await row.check(res, c, variant, prep);
        });
      }
    }
  });
}
