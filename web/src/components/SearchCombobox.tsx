// Search-as-you-type field following the ARIA 1.2 combobox pattern (list autocomplete), shared by
// StructurePicker and DirectoryPicker: from 2 letters the items are fetched (200 ms debounce, the previous
// request aborted), arrows move in the list, Enter chooses, Escape closes, the number of results is announced.
// Once an item is chosen it is shown with a "change" button, which gets the focus; going back to the search
// gives the focus back to the input.
import { useEffect, useRef, useState } from 'preact/hooks';
import { FieldShell, fieldId } from './forms';

/** The strings of one combobox, all from the i18n table. */
export interface SearchComboboxTexts {
  /** Label of the input, also the accessible name of the list. */
  label: string;
  hint: string;
  /** Announced while a search runs. */
  searching: string;
  /** Announced when the results arrive. */
  results: (n: number) => string;
  /** Above the chosen item. */
  chosen: string;
  /** The button that goes back to the search. */
  change: string;
}

/** The keys of an ARIA combobox with a list: arrows move, Enter chooses the active item, Escape closes. */
export function comboKeys<T>({ open, setOpen, active, setActive, items, choose }: {
  open: boolean; setOpen: (o: boolean) => void; active: number; setActive: (f: (a: number) => number) => void;
  items: T[]; choose: (item: T) => void;
}) {
  return (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); if (!open && items.length) setOpen(true); setActive((a) => Math.min(items.length - 1, a + 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => Math.max(0, a - 1)); }
    else if (e.key === 'Enter') { if (open && active >= 0 && items[active]) { e.preventDefault(); choose(items[active]); } }
    else if (e.key === 'Escape') { if (open) { e.preventDefault(); setOpen(false); setActive(() => -1); } }
  };
}

export interface SearchComboboxProps<T> {
  /** Field name: ids (`f-NAME`, `f-NAME-list`), error and hint wiring. */
  name: string;
  value: T | null;
  onChange: (item: T | null) => void;
  error?: string;
  /** The items for a search term (already trimmed, at least 2 characters), through src/api. */
  search: (term: string, signal: AbortSignal) => Promise<T[]>;
  itemKey: (item: T) => string;
  itemName: (item: T) => string;
  /** Second line of an option; '' for none. */
  itemMeta: (item: T) => string;
  /** What follows the name of the chosen item (after " — "); '' for nothing. Defaults to itemMeta. */
  chosenMeta?: (item: T) => string;
  texts: SearchComboboxTexts;
  /** data-testid of the chosen item. */
  chosenTestId: string;
}

export function SearchCombobox<T>({ name, value, onChange, error, search, itemKey, itemName, itemMeta, chosenMeta = itemMeta,
  texts, chosenTestId }: SearchComboboxProps<T>) {
  const [q, setQ] = useState('');
  const [items, setItems] = useState<T[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [loading, setLoading] = useState(false);
  const [announce, setAnnounce] = useState('');
  const listId = fieldId(name) + '-list';
  const inputRef = useRef<HTMLInputElement>(null);
  const changeRef = useRef<HTMLButtonElement>(null);
  const wasChosen = useRef(false);

  // Runs again when the term changes only: `search` and `texts` are read from the render that changed it.
  useEffect(() => {
    const term = q.trim();
    if (term.length < 2) { setItems([]); setOpen(false); setAnnounce(''); return; }
    const ctrl = new AbortController();
    const timer = setTimeout(async () => {
      setLoading(true); setAnnounce(texts.searching);
      try {
        const found = await search(term, ctrl.signal);
        setItems(found); setOpen(true); setActive(-1);
        setAnnounce(texts.results(found.length));
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

  const choose = (s: T) => { onChange(s); setOpen(false); setQ(''); setItems([]); };

  if (value) {
    const after = chosenMeta(value);
    return (
      <div class="field chosen" id={fieldId(name)} tabIndex={-1}>
        <p class="chosen__label">{texts.chosen}</p>
        <p class="chosen__value" data-testid={chosenTestId}><strong>{itemName(value)}</strong>{after ? ` — ${after}` : ''}</p>
        <button type="button" class="btn btn--secondary btn--small" ref={changeRef} onClick={() => onChange(null)}>{texts.change}</button>
      </div>
    );
  }

  const onKey = comboKeys({ open, setOpen, active, setActive, items, choose });

  return (
    <FieldShell name={name} label={texts.label} hint={texts.hint} error={error} required>
      {({ id, describedBy, invalid }) => (
        <div class="combo">
          <input id={id} ref={inputRef} type="text" role="combobox" aria-autocomplete="list" aria-expanded={open ? 'true' : 'false'}
            aria-controls={listId} aria-activedescendant={open && active >= 0 ? `${listId}-${active}` : undefined}
            aria-describedby={describedBy} aria-invalid={invalid ? 'true' : undefined} autocomplete="off" value={q}
            onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} onKeyDown={onKey}
            onBlur={() => setTimeout(() => setOpen(false), 150)} onFocus={() => { if (items.length) setOpen(true); }} />
          {loading && <span class="spinner combo__spinner" aria-hidden="true" />}
          <ul id={listId} role="listbox" aria-label={texts.label} class="combo__list" hidden={!open || items.length === 0}>
            {items.map((s, i) => {
              const meta = itemMeta(s);
              return (
                <li id={`${listId}-${i}`} key={itemKey(s)} role="option" aria-selected={i === active ? 'true' : 'false'}
                  class={i === active ? 'combo__option is-active' : 'combo__option'}
                  onMouseDown={(e) => { e.preventDefault(); choose(s); }}>
                  <span class="combo__name">{itemName(s)}</span>
                  {meta && <span class="combo__meta">{meta}</span>}
                </li>
              );
            })}
          </ul>
          <p class="sr-only" role="status">{announce}</p>
        </div>
      )}
    </FieldShell>
  );
}
