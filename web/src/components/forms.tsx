// Form building blocks: every field has a visible label, an optional hint and its error message,
// both tied to the control with aria-describedby; the error summary is announced (role="alert").
import type { ComponentChildren, PartialInputHTMLAttributes, TextareaHTMLAttributes, ButtonHTMLAttributes } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, formatWait } from '../i18n';
import { ApiError } from '../api';

export const fieldId = (name: string) => 'f-' + name.replace(/[^a-zA-Z0-9_-]/g, '-');

export type FieldErrors = Record<string, string>;

interface ShellProps {
  name: string;
  label: ComponentChildren;
  hint?: ComponentChildren;
  error?: string;
  required?: boolean;
  children: (a: { id: string; describedBy: string | undefined; invalid: boolean }) => ComponentChildren;
  extra?: ComponentChildren;
  /** Show "(facultatif)" after the label of an optional field (not for search filters). */
  optionalMark?: boolean;
}

export function FieldShell({ name, label, hint, error, required, children, extra, optionalMark = true }: ShellProps) {
  const id = fieldId(name);
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={'field' + (error ? ' field--error' : '')}>
      <label for={id}>
        {label}
        {!required && optionalMark && <span class="opt"> ({t.common.optional})</span>}
      </label>
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
      {children({ id, describedBy: ids, invalid: !!error })}
      {extra}
    </div>
  );
}

type InputProps = Omit<PartialInputHTMLAttributes<HTMLInputElement>, 'label' | 'value' | 'onInput'> & {
  name: string; label: ComponentChildren; hint?: ComponentChildren; error?: string; required?: boolean;
  value: string; onValue: (v: string) => void; extra?: ComponentChildren; optionalMark?: boolean;
};

export function TextField({ name, label, hint, error, required, value, onValue, extra, optionalMark, ...rest }: InputProps) {
  return (
    <FieldShell name={name} label={label} hint={hint} error={error} required={required} extra={extra} optionalMark={optionalMark}>
      {({ id, describedBy, invalid }) => (
        <input id={id} name={name} value={value} required={required} aria-required={required ? 'true' : undefined}
          aria-invalid={invalid ? 'true' : undefined} aria-describedby={describedBy}
          onInput={(e) => onValue((e.currentTarget as HTMLInputElement).value)} {...(rest as Record<string, unknown>)} />
      )}
    </FieldShell>
  );
}

type AreaProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'label' | 'value' | 'onInput'> & {
  name: string; label: ComponentChildren; hint?: ComponentChildren; error?: string; required?: boolean;
  value: string; onValue: (v: string) => void; extra?: ComponentChildren;
};
export function TextAreaField({ name, label, hint, error, required, value, onValue, extra, ...rest }: AreaProps) {
  return (
    <FieldShell name={name} label={label} hint={hint} error={error} required={required} extra={extra}>
      {({ id, describedBy, invalid }) => (
        <textarea id={id} name={name} value={value} required={required} aria-required={required ? 'true' : undefined}
          aria-invalid={invalid ? 'true' : undefined} aria-describedby={describedBy}
          onInput={(e) => onValue((e.currentTarget as HTMLTextAreaElement).value)} {...rest} />
      )}
    </FieldShell>
  );
}

type SelectProps = {
  name: string; label: ComponentChildren; hint?: ComponentChildren; error?: string; required?: boolean;
  value: string; onValue: (v: string) => void; children: ComponentChildren; optionalMark?: boolean;
};
export function SelectField({ name, label, hint, error, required, value, onValue, children, optionalMark }: SelectProps) {
  return (
    <FieldShell name={name} label={label} hint={hint} error={error} required={required} optionalMark={optionalMark}>
      {({ id, describedBy, invalid }) => (
        <select id={id} name={name} value={value} required={required} aria-required={required ? 'true' : undefined}
          aria-invalid={invalid ? 'true' : undefined} aria-describedby={describedBy}
          onChange={(e) => onValue((e.currentTarget as HTMLSelectElement).value)}>
          {children}
        </select>
      )}
    </FieldShell>
  );
}

/** Strength from length and variety; the server only requires 12 to 256 characters. */
export function passwordScore(p: string): number {
  if (p.length < 12) return 0;
  let s = 1;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((r) => r.test(p)).length;
  if (p.length >= 16) s++;
  if (p.length >= 20 || classes >= 3) s++;
  if (p.length >= 24 && classes >= 2) s++;
  return Math.min(s, 4);
}

export function PasswordField({ name = 'password', label, value, onValue, error, autocomplete = 'new-password', meter = true }:
  { name?: string; label: string; value: string; onValue: (v: string) => void; error?: string; autocomplete?: string; meter?: boolean }) {
  const [shown, setShown] = useState(false);
  const score = passwordScore(value);
  const toggleId = fieldId(name) + '-show';
  return (
    <TextField name={name} label={label} required type={shown ? 'text' : 'password'} value={value} onValue={onValue}
      error={error} autocomplete={autocomplete} minLength={meter ? 12 : undefined} maxLength={256}
      hint={meter ? t.password.hint : undefined} spellcheck={false} autoCapitalize="none"
      extra={<>
        {meter && value && (
          <div class="strength" data-score={score}>
            <meter id={fieldId(name) + '-meter'} min={0} max={4} low={2} high={3} optimum={4} value={score}
              aria-label={t.password.strength} />
            <span class="strength-text" aria-live="polite">
              {t.password.strength} : {t.password.levels[score]}
              {value.length < 12 ? ` (${t.password.remaining(12 - value.length)})` : ''}
            </span>
          </div>
        )}
        <div class="check">
          <input type="checkbox" id={toggleId} checked={shown} onChange={(e) => setShown((e.currentTarget as HTMLInputElement).checked)} />
          <label for={toggleId}>{t.common.showPassword}</label>
        </div>
      </>} />
  );
}

/** Plain French text for a problem: title, plus the wait time, reason or hint when there is one. */
export function problemDetail(e: ApiError): string | null {
  switch (e.type) {
    case 'too-many-attempts': return t.problems.tooManyWait(formatWait(e.retryAfter ?? 900));
    case 'account-rejected': return e.detail ? t.problems.rejectedReason(e.detail) : null;
    case 'account-pending-approval': return t.problems.pendingDetail;
    case 'email-not-confirmed': return t.problems.emailNotConfirmedDetail;
    case 'code-already-used': return t.problems.codeAlreadyUsedDetail;
    default: return e.detail;
  }
}

/**
 * Shown above a form after a failed submit: the problem title and detail, and a link to each field in
 * error. It is a live region (role="alert") and takes the focus so that the error is read at once.
 */
export function ErrorSummary({ problem, fields, labels = {} }: { problem: ApiError | null; fields: FieldErrors; labels?: Record<string, string> }) {
  const ref = useRef<HTMLDivElement>(null);
  const entries = Object.entries(fields);
  const visible = !!problem || entries.length > 0;
  useEffect(() => { if (visible) ref.current?.focus(); }, [problem, visible, entries.length]);
  return (
    <div role="alert" aria-atomic="true" class={visible ? 'error-summary' : 'sr-only'} tabIndex={visible ? -1 : undefined} ref={ref}>
      {visible && (<>
        <h2 class="error-summary__title">{problem ? problem.title : t.common.errorSummary}</h2>
        {problem && problemDetail(problem) && <p data-testid="problem-detail">{problemDetail(problem)}</p>}
        {entries.length > 0 && (
          <ul>
            {entries.map(([f, msg]) => (
              <li key={f}><a href={'#' + fieldId(f)} onClick={(e) => { e.preventDefault(); document.getElementById(fieldId(f))?.focus(); }}>
                {labels[f] ? `${labels[f]} : ` : ''}{msg}
              </a></li>
            ))}
          </ul>
        )}
      </>)}
    </div>
  );
}

/** The problem without its detail: for a summary that links to the field under which the detail is shown. */
export function withoutDetail(p: ApiError): ApiError {
  return new ApiError({ status: p.status, type: p.type, title: p.title, errors: p.errors, requestId: p.requestId, body: p.body });
}

/** Field errors of a problem, keyed by field name (nested names like structure_proposal.name kept). */
export function fieldErrorsOf(e: unknown): FieldErrors {
  const out: FieldErrors = {};
  if (e instanceof ApiError) for (const fe of e.errors) if (!out[fe.field]) out[fe.field] = fe.message;
  return out;
}

export function SubmitButton({ busy, label, busyLabel, class: cls = 'btn btn--primary', ...rest }:
  { busy: boolean; label: string; busyLabel: string; class?: string } & Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'label' | 'class'>) {
  return (
    <button type="submit" class={cls} aria-disabled={busy ? 'true' : undefined} {...rest}
      onClick={(e) => { if (busy) e.preventDefault(); }}>
      {busy && <span class="spinner" aria-hidden="true" />}
      {busy ? busyLabel : label}
    </button>
  );
}

/** A polite live region for confirmations ("enregistré", "copié"…). Always in the DOM. */
export function Status({ message, tone = 'success' }: { message: string | null; tone?: 'success' | 'info' }) {
  return <div role="status" class={message ? `notice notice--${tone}` : 'sr-only'}>{message}</div>;
}

export function Loading({ label = t.app.loading }: { label?: string }) {
  return <div class="loading" role="status"><span class="spinner" aria-hidden="true" /> {label}</div>;
}
