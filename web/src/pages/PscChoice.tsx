// /connexion/pro-sante-connect: the first Pro Santé Connect login of a professional. PSC proved who they are (the
// identity waits 30 min in an HttpOnly cookie, GET /auth/psc/pending); they choose between linking the Cordée
// account they already have (password + TOTP once, then POST /auth/psc/link) and creating one without a password
// (POST /auth/psc/register: active at once when PSC proves a structure, otherwise waiting for its approver).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, asApiError, type Me, type PscPending, type Structure } from '../api';
import { Page } from '../components/Page';
import { PasswordForm } from '../components/PasswordForm';
import { SecondFactorForm } from '../components/SecondFactorForm';
import { ErrorSummary, Loading, SubmitButton, TextField, fieldErrorsOf, withoutDetail, type FieldErrors } from '../components/forms';
import { StructurePicker } from '../components/StructurePicker';
import { t } from '../i18n';
import { navigate } from '../router';
import { flash, sessionOpened } from '../state/session';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
type Choice = 'link' | 'create';


/** 'CLAIRE-MARIE' → 'Claire-Marie' (PSC may send first names in capitals; the directory does not). */
function firstNameCase(s: string): string {
  if (s !== s.toLocaleUpperCase('fr-FR')) return s;
  return s.toLocaleLowerCase('fr-FR').replace(/(^|[\s'-])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toLocaleUpperCase('fr-FR'));
}

/** "Dr Claire FONTAINE, Médecin (RPPS 10001234567)": the directory entry when there is one, else PSC's claims. */
export function pscWho(p: PscPending): string {
  const d = p.directory;
  // The directory's civility (Dr…) when it has the entry, as for the names: what the account will show.
  const civility = d ? d.civility || '' : t.psc.civilities[(p.civility || '').toUpperCase()] || '';
  const first = d?.first_name || firstNameCase(p.given_name || '');
  const last = (d?.last_name || p.family_name || '').toLocaleUpperCase('fr-FR');
  const profession = d?.profession_label || t.professions[p.profession_code] || '';
  return t.psc.who([civility, first, last].filter(Boolean).join(' '), profession, p.rpps);
}

/** A choice drawn as a box (tokens only; the chosen one is outlined in the primary colour). */
function optionStyle(checked: boolean) {
  return {
    padding: 'var(--s-3) var(--s-4)', marginBottom: 'var(--s-3)', borderRadius: 'var(--r-md)', cursor: 'pointer',
    border: `1px solid ${checked ? 'var(--c-primary)' : 'var(--c-control-border)'}`,
    boxShadow: checked ? 'inset 0 0 0 1px var(--c-primary)' : 'none',
    background: checked ? 'var(--c-primary-soft)' : 'var(--c-surface)',
  };
}

/** The way back when the identity has expired: a new PSC login (a full navigation). */
function Expired() {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => { ref.current?.focus(); }, []);
  return (<>
    <div class="error-summary" role="alert" tabIndex={-1} ref={ref} data-testid="psc-expired">
      <h2 class="error-summary__title">{t.psc.expiredTitle}</h2>
      <p>{t.psc.expiredText}</p>
    </div>
    <p><a class="btn btn--primary btn--block" href={api.pscStartUrl}>{t.psc.retry}</a></p>
  </>);
}

export function PscChoice() {
  const [pending, setPending] = useState<PscPending | null | undefined>(undefined);
  const [loadProblem, setLoadProblem] = useState<ApiError | null>(null);
  const [expired, setExpired] = useState(false);
  const [choice, setChoice] = useState<Choice | null>(null);
  // The address typed in "create" when the server says it has an account: "link" starts with it.
  const [linkEmail, setLinkEmail] = useState('');
  // The account was created and waits for its structure's approval: the identity has served, nothing left to choose.
  const [waiting, setWaiting] = useState(false);
  const formRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    api.pscPending().then((p) => { if (live) setPending(p); }).catch((e) => {
      if (!live) return;
      const err = asApiError(e);
      setPending(null);
      if (err.type === 'psc-link-expired') setExpired(true); else setLoadProblem(err);
    });
    return () => { live = false; };
  }, []);

  const choose = (c: Choice) => {
    setChoice(c);
    // On a phone the form opens below the fold: bring its start into view (the focus stays on the radio button).
    requestAnimationFrame(() => formRef.current?.scrollIntoView({ block: 'nearest' }));
  };

  if (pending === undefined) return <Page title={t.psc.title} narrow><Loading label={t.psc.loading} /></Page>;
  if (expired || !pending) {
    return (
      <Page title={t.psc.title} narrow>
        {expired ? <Expired /> : (<>
          <div class="error-summary" role="alert">
            <h2 class="error-summary__title">{loadProblem?.title ?? t.psc.loadFailed}</h2>
            {loadProblem?.detail && <p>{loadProblem.detail}</p>}
          </div>
          <p><a class="btn btn--primary btn--block" href={api.pscStartUrl}>{t.psc.retry}</a></p>
        </>)}
      </Page>
    );
  }

  const switchToLink = (email: string) => {
    setLinkEmail(email);
    choose('link');
    // The radio button of the new choice takes the focus, as if the person had chosen it.
    requestAnimationFrame(() => document.getElementById('psc-choice-link')?.focus());
  };
  const options = [['link', t.psc.choiceLink, t.psc.choiceLinkHint], ['create', t.psc.choiceCreate, t.psc.choiceCreateHint]] as const;

  return (
    <Page title={t.psc.title} narrow>
      <div class="notice notice--success" data-testid="psc-identity">
        <p>{t.psc.confirmed} <strong data-testid="psc-who">{pscWho(pending)}</strong></p>
        {!pending.directory && <p class="hint">{t.psc.notInDirectory}</p>}
      </div>
      {waiting ? <Waiting /> : (<>
        <fieldset class="choice choice--column">
          <legend>{t.psc.choiceLegend}</legend>
          {options.map(([v, label, hint]) => (
            // The whole box is the label (one big tap target); the radio's name is the title alone, the line its description.
            <label class="choice__item choice__item--hint" for={`psc-choice-${v}`} key={v} style={optionStyle(choice === v)}>
              <input type="radio" id={`psc-choice-${v}`} name="psc_choice" value={v} checked={choice === v}
                aria-labelledby={`psc-choice-${v}-label`} aria-describedby={`psc-choice-${v}-hint`} onChange={() => choose(v)} />
              <span>
                <strong id={`psc-choice-${v}-label`} style={{ display: 'block' }}>{label}</strong>
                <span class="hint choice__hint" id={`psc-choice-${v}-hint`} style={{ display: 'block' }}>{hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div ref={formRef}>
          {choice === 'link' && <LinkAccount initialEmail={linkEmail} onExpired={() => setExpired(true)} />}
          {choice === 'create' && <CreateAccount pending={pending} onExpired={() => setExpired(true)}
            onSwitchToLink={switchToLink} onWaiting={() => setWaiting(true)} />}
        </div>
      </>)}
    </Page>
  );
}

/** "J'ai déjà un compte Cordée": the usual two steps (cookie session), then the link. */
function LinkAccount({ initialEmail, onExpired }: { initialEmail: string; onExpired: () => void }) {
  const [step, setStep] = useState<'password' | 'totp'>('password');
  // Kept across the steps: a restart from the second step comes back with the address and why.
  const [email, setEmail] = useState(initialEmail);
  const [problem, setProblem] = useState<ApiError | null>(null);
  // Logged in, but the link was refused: the person may still go on without it.
  const [unlinked, setUnlinked] = useState<Me | null>(null);

  const checkPassword = async (address: string, password: string) => {
    setEmail(address);
    const res = await api.login(address, password);
    // A link is made with both factors: an account that has none yet enrols first, then comes back through PSC.
    if (res.next === 'totp_enrol') throw new ApiError({ status: 0, type: 'totp-enrol', title: t.psc.linkFailed, detail: t.psc.linkTotpEnrol });
    setProblem(null); setStep('totp');
  };

  // A right code opens the session; then the link (its failure is said here, the session stays open).
  const linkWithCode = async (c: string) => {
    const res = await api.totp(c);
    const opened = res.account ?? await api.me();
    try {
      const linked = await api.pscLink();
      sessionOpened(linked.account);
      flash.value = 'pscLinked';
      navigate('/', { replace: true });
    } catch (e) {
      // The password and the code were right: the session is open, only the link failed.
      sessionOpened(opened);
      setUnlinked(opened);
      const err = asApiError(e);
      if (err.type === 'psc-link-expired') { onExpired(); return; }
      setProblem(err);
    }
  };
  const restart = (p: ApiError | null) => { setStep('password'); setProblem(p); };

  if (unlinked) {
    return (
      <section class="card" aria-labelledby="psc-link-title">
        <h2 id="psc-link-title" class="card__title">{t.psc.linkTitle}</h2>
        <div class="error-summary" role="alert" data-testid="psc-link-failed">
          <h3 class="error-summary__title">{t.psc.linkFailed}</h3>
          {problem && <p>{problem.detail ?? problem.title}</p>}
        </div>
        <p><a class="btn btn--secondary" href="/">{t.psc.toPortal}</a></p>
      </section>
    );
  }

  return (
    <section class="card" aria-labelledby="psc-link-title">
      <h2 id="psc-link-title" class="card__title">{t.psc.linkTitle}</h2>
      {step === 'password' ? (<>
        <PasswordForm initialEmail={email} initialProblem={problem} submitLabel={t.psc.linkSubmit}
          busyLabel={t.psc.linkSubmitting} onPassword={checkPassword} />
      </>) : (<>
        <p>{t.psc.linkTotpIntro}</p>
        <SecondFactorForm submitLabel={t.psc.linkVerify} busyLabel={t.psc.linkVerifying} onCode={linkWithCode} onRestart={restart} />
      </>)}
    </section>
  );
}

/** The account waits for its structure's approver (202): said in words, and the focus goes there. */
function Waiting() {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => { ref.current?.focus(); }, []);
  return (
    <section class="card" aria-labelledby="psc-pending-title">
      <h2 id="psc-pending-title" class="card__title" tabIndex={-1} ref={ref}>{t.psc.pendingTitle}</h2>
      <div class="notice notice--info" role="status" data-testid="psc-pending"><p>{t.psc.pendingText}</p></div>
      <p><a href="/connexion">{t.psc.toLogin}</a></p>
    </section>
  );
}

const createLabels: Record<string, string> = {
  email: t.fields.email, phone: t.fields.phone, structure_id: t.signup.structureSearch,
  'structure_proposal.name': t.signup.structureProposalName, 'structure_proposal.commune': t.signup.structureProposalCommune,
};

/** "Créer mon compte": the names and profession are the directory's; only an address and the structure are asked. */
function CreateAccount({ pending, onExpired, onSwitchToLink, onWaiting }:
  { pending: PscPending; onExpired: () => void; onSwitchToLink: (email: string) => void; onWaiting: () => void }) {
  const proven = pending.structures_proven > 0;
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [structure, setStructureValue] = useState<Structure | null>(null);
  const [notListed, setNotListed] = useState(false);
  const [proposal, setProposal] = useState({ name: '', commune: '' });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});

  const setStructure = (s: Structure | null) => {
    setStructureValue(s);
    if (s) setErrors((o) => { if (!o.structure_id) return o; const { structure_id: _, ...rest } = o; return rest; });
  };

  const validate = (): FieldErrors => {
    const e: FieldErrors = {};
    if (!email.trim()) e.email = t.common.fieldRequired;
    else if (!EMAIL_RE.test(email.trim())) e.email = t.fields.emailInvalid;
    if (!proven) {
      if (notListed) {
        if (!proposal.name.trim()) e['structure_proposal.name'] = t.common.fieldRequired;
        if (!proposal.commune.trim()) e['structure_proposal.commune'] = t.common.fieldRequired;
      } else if (!structure) e.structure_id = t.signup.structureRequired;
    }
    return e;
  };

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    const e = validate();
    setErrors(e); setProblem(null);
    if (Object.keys(e).length) return;
    const body: Parameters<typeof api.pscRegister>[0] = { email: email.trim() };
    if (phone.trim()) body.phone = phone.trim();
    if (!proven && notListed) body.structure_proposal = { name: proposal.name.trim(), commune: proposal.commune.trim() };
    else if (!proven && structure) body.structure_id = structure.id;
    setBusy(true);
    try {
      const res = await api.pscRegister(body);
      if (res.status === 'active') {
        sessionOpened(res.account);
        navigate('/', { replace: true });
        return;
      }
      onWaiting();
    } catch (err) {
      const p = asApiError(err);
      if (p.type === 'psc-link-expired') { onExpired(); return; }
      setProblem(p);
      setErrors(fieldErrorsOf(p));
    } finally { setBusy(false); }
  };

  // A 409 on the address: its detail (choose "J'ai déjà un compte") goes under the field, which the summary links to.
  const emailProblem = problem?.type === 'duplicate' && problem.fieldError('email') && problem.detail ? problem.detail : null;
  const summaryProblem = useMemo(() => (emailProblem && problem ? withoutDetail(problem) : problem), [problem, emailProblem]);
  // A 409 on the directory entry names no field of this form: the summary says it alone.
  const summaryFields = useMemo(() => {
    const { professional_id: _, ...rest } = errors;
    return rest;
  }, [errors]);

  return (
    <section class="card" aria-labelledby="psc-create-title">
      <h2 id="psc-create-title" class="card__title">{t.psc.createTitle}</h2>
      <ErrorSummary problem={summaryProblem} fields={summaryFields} labels={createLabels} />
      <form class="form" onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        <TextField name="email" label={t.fields.email} hint={t.psc.emailHint} type="email" required value={email} onValue={setEmail}
          error={emailProblem ?? errors.email} autocomplete="email" inputMode="email" autoCapitalize="none" spellcheck={false}
          extra={emailProblem && (
            <div class="actions">
              <button type="button" class="btn btn--secondary" onClick={() => onSwitchToLink(email.trim())}>{t.psc.switchToLink}</button>
            </div>
          )} />
        <TextField name="phone" label={t.fields.phone} hint={t.fields.phoneHint} type="tel" value={phone} onValue={setPhone}
          error={errors.phone} autocomplete="tel" />
        {proven ? (
          <div class="notice notice--success" data-testid="psc-structure-proven"><p>{t.psc.structureProven}</p></div>
        ) : (
          <fieldset class="choice choice--column">
            <legend>{t.psc.structureSection}</legend>
            <p class="hint">{t.psc.structurePendingHint}</p>
            {!notListed && <StructurePicker value={structure} onChange={setStructure} error={errors.structure_id} />}
            <div class="check">
              <input type="checkbox" id="f-not-listed" checked={notListed}
                onChange={(e) => { setNotListed((e.currentTarget as HTMLInputElement).checked); setErrors({}); }} />
              <label for="f-not-listed">{t.signup.structureNotListed}</label>
            </div>
            {notListed && (
              <div class="grid-2">
                <TextField name="structure_proposal.name" label={t.signup.structureProposalName} required value={proposal.name}
                  onValue={(v) => setProposal((o) => ({ ...o, name: v }))} error={errors['structure_proposal.name']} autocomplete="organization" />
                <TextField name="structure_proposal.commune" label={t.signup.structureProposalCommune} required value={proposal.commune}
                  onValue={(v) => setProposal((o) => ({ ...o, commune: v }))} error={errors['structure_proposal.commune']} autocomplete="address-level2" />
              </div>
            )}
          </fieldset>
        )}
        <div class="actions">
          <SubmitButton busy={busy} label={t.psc.createSubmit} busyLabel={t.psc.createSubmitting} />
        </div>
      </form>
    </section>
  );
}
