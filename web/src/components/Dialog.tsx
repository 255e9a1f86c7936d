// Modal dialog on the native <dialog>: focus is trapped and restored by the browser, Escape closes.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';

export function Dialog({ open, title, onClose, children, id }:
  { open: boolean; title: string; onClose: () => void; children: ComponentChildren; id: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby={`${id}-title`} onClose={onClose} onCancel={onClose}>
      {open && (<>
        <div class="dialog__head">
          <h2 id={`${id}-title`}>{title}</h2>
          <button type="button" class="btn btn--ghost btn--icon" onClick={onClose} aria-label={t.common.close}>×</button>
        </div>
        {children}
      </>)}
    </dialog>
  );
}
