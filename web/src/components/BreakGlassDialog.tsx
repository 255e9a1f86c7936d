// Break-the-glass: a professional outside the care circle opens a patient's record for 4 hours with a
// mandatory reason; the access is logged and the referent is alerted. On success, the record opens.
import { useEffect, useState } from 'preact/hooks';
import { api, isApiError, type ApiError } from '../api';
import { Dialog } from './Dialog';
import { ErrorSummary, SubmitButton, TextAreaField, fieldErrorsOf, type FieldErrors } from './forms';
import { t } from '../i18n';
import { navigate } from '../router';

export function BreakGlassDialog({ patient, onClose }: { patient: { id: string; name: string } | null; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<ApiError | null>(null);
  useEffect(() => { setReason(''); setErrors({}); setProblem(null); }, [patient?.id]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy || !patient) return;
    const r = reason.trim();
    const errs: FieldErrors = {};
    if (r.length < 15) errs.reason = t.breakGlass.reasonTooShort;
    else if (r.length > 1000) errs.reason = t.breakGlass.reasonTooLong;
    setErrors(errs); setProblem(null);
    if (Object.keys(errs).length) { document.getElementById('f-reason')?.focus(); return; }
    setBusy(true);
    try {
      await api.breakGlass(patient.id, r);
      onClose();
      navigate(`/patients/${encodeURIComponent(patient.id)}`);
    } catch (x) {
      setProblem(isApiError(x) ? x : null); setErrors(fieldErrorsOf(x));
    } finally { setBusy(false); }
  };

  return (
    <Dialog open={!!patient} id="break-glass" title={t.breakGlass.title} onClose={onClose}>
      {patient && (
        <form class="form" onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
          <p><strong>{t.breakGlass.patient(patient.name)}</strong></p>
          <p>{t.breakGlass.intro}</p>
          <p class="notice notice--warning">{t.breakGlass.logged}</p>
          <ErrorSummary problem={problem} fields={problem ? errors : {}} labels={{ reason: t.breakGlass.reason }} />
          <TextAreaField name="reason" label={t.breakGlass.reason} hint={t.breakGlass.reasonHint} required value={reason}
            onValue={setReason} error={errors.reason} rows={4} maxLength={1000}
            extra={<p class="hint" id="f-reason-count">{t.breakGlass.reasonCount(reason.trim().length)}</p>} />
          <div class="actions">
            <SubmitButton busy={busy} label={t.breakGlass.submit} busyLabel={t.breakGlass.submitting} class="btn btn--danger" />
            <button type="button" class="btn btn--ghost" onClick={onClose}>{t.common.cancel}</button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
