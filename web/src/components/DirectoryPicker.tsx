// Choose a professional or a structure of the directory (GET /directory/search) with the ARIA 1.2 combobox
// pattern, as StructurePicker does: arrows move in the list, Enter chooses, Escape closes, the count is announced.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type DirSearchItem } from '../api';
import { t } from '../i18n';
import { FieldShell, fieldId } from './forms';
import { itemName } from './directory';

function meta(i: DirSearchItem) {
  const what = i.kind === 'professional'
    ? (i.profession_label ?? (i.profession_code ? t.professions[i.profession_code] : null))
    : (i.category_label ?? t.directory.kindOne.structure);
  return [what, i.specialty, i.commune].filter(Boolean).join(' · ');
}

export function DirectoryPicker({ name, value, onChange, error }:
  { name: string; value: DirSearchItem | null; onChange: (s: DirSearchItem | null) => void; error?: string }) {
  const [q, setQ] = useState('');
  const [items, setItems] = useState<DirSearchItem[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [loading, setLoading] = useState(false);
  const [announce, setAnnounce] = useState('');
  const listId = fieldId(name) + '-list';
  const inputRef = useRef<HTMLInputElement>(null);
  const changeRef = useRef<HTMLButtonElement>(null);
  const wasChosen = useRef(false);

  useEffect(() => {
    const term = q.trim();
    if (term.length < 2) { setItems([]); setOpen(false); setAnnounce(''); return; }
    const ctrl = new AbortController();
    const timer = setTimeout(async () => {
      setLoading(true); setAnnounce(t.directory.searching);
      try {
        const res = await api.directorySearch({ q: term, per_page: 10 }, ctrl.signal);
        setItems(res.items); setOpen(true); setActive(-1);
        setAnnounce(t.circle.directoryResults(res.items.length));
      } catch (e) {
        if ((e as Error)?.name !== 'AbortError') { setItems([]); setAnnounce((e as Error).message); }
      } finally { setLoading(false); }
    }, 200);
    return () => { clearTimeout(timer); ctrl.abort(); };
  }, [q]);

  useEffect(() => {
    if (value) { wasChosen.current = true; changeRef.current?.focus(); }
    else if (wasChosen.current) { wasChosen.current = false; inputRef.current?.focus(); }
  }, [value]);

  const choose = (s: DirSearchItem) => { onChange(s); setOpen(false); setQ(''); setItems([]); };

  if (value) {
    return (
      <div class="field chosen" id={fieldId(name)} tabIndex={-1}>
        <p class="chosen__label">{t.circle.chosen}</p>
        <p class="chosen__value" data-testid="directory-chosen"><strong>{itemName(value)}</strong>{meta(value) ? ` — ${meta(value)}` : ''}</p>
        <button type="button" class="btn btn--secondary btn--small" ref={changeRef} onClick={() => onChange(null)}>{t.circle.change}</button>
      </div>
    );
  }

  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); if (!open && items.length) setOpen(true); setActive((a) => Math.min(items.length - 1, a + 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => Math.max(0, a - 1)); }
    else if (e.key === 'Enter') { if (open && active >= 0 && items[active]) { e.preventDefault(); choose(items[active]); } }
    else if (e.key === 'Escape') { if (open) { e.preventDefault(); setOpen(false); setActive(-1); } }
  };

  return (
    <FieldShell name={name} label={t.circle.directorySearch} hint={t.circle.directoryHint} error={error} required>
      {({ id, describedBy, invalid }) => (
        <div class="combo">
          <input id={id} ref={inputRef} type="text" role="combobox" aria-autocomplete="list" aria-expanded={open ? 'true' : 'false'}
            aria-controls={listId} aria-activedescendant={open && active >= 0 ? `${listId}-${active}` : undefined}
            aria-describedby={describedBy} aria-invalid={invalid ? 'true' : undefined} autocomplete="off" value={q}
            onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} onKeyDown={onKey}
            onBlur={() => setTimeout(() => setOpen(false), 150)} onFocus={() => { if (items.length) setOpen(true); }} />
          {loading && <span class="spinner combo__spinner" aria-hidden="true" />}
          <ul id={listId} role="listbox" aria-label={t.circle.directorySearch} class="combo__list" hidden={!open || items.length === 0}>
            {items.map((s, i) => (
              <li id={`${listId}-${i}`} key={`${s.kind}-${s.id}`} role="option" aria-selected={i === active ? 'true' : 'false'}
                class={i === active ? 'combo__option is-active' : 'combo__option'}
                onMouseDown={(e) => { e.preventDefault(); choose(s); }}>
                <span class="combo__name">{itemName(s)}</span>
                {meta(s) && <span class="combo__meta">{meta(s)}</span>}
              </li>
            ))}
          </ul>
          <p class="sr-only" role="status">{announce}</p>
        </div>
      )}
    </FieldShell>
  );
}
