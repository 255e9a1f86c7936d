// The birthplace field: the official code of the commune (what INS and INSi compare), found by typing the
// commune's name. The field holds the code: typing "reims" lists the communes whose name matches (current ones
// first, then former communes merged since, people having been born there), choosing one puts its code in the
// field; a typed code is accepted as is (foreign countries, 99xxx, are not in the list). Under the field, the
// commune of the code in words, so that a postal code typed by mistake shows at once. The list
// (/communes.json, scripts/communes.mjs) is fetched at the first letter typed; without it the field still takes a code.
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { FieldShell, fieldId } from './forms';
import { comboKeys } from './SearchCombobox';

interface Commune { code: string; name: string; type: 0 | 1 | 2; folded: string }
interface Communes { byCode: Map<string, Commune[]>; all: Commune[]; departements: Record<string, string> }

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[\s\-'’]+/g, ' ').replace(/\bste\b/g, 'sainte').replace(/\bst\b/g, 'saint').trim();
export const isCommuneCode = (s: string) => /^(?:\d{5}|2[AB]\d{3})$/i.test(s.trim());

let loading: Promise<Communes> | null = null;
function loadCommunes(): Promise<Communes> {
  loading ??= fetch('/communes.json').then(async (r) => {
    if (!r.ok) throw new Error(String(r.status));
    const raw = (await r.json()) as { departements: Record<string, string>; communes: [string, string, 0 | 1 | 2][] };
    const all = raw.communes.map(([code, name, type]) => ({ code, name, type, folded: fold(name) }));
    const byCode = new Map<string, Commune[]>();
    for (const c of all) byCode.set(c.code, [...(byCode.get(c.code) ?? []), c]);
    return { all, byCode, departements: raw.departements };
  }).catch((e) => { loading = null; throw e; });
  return loading;
}

/** Best matches first: the name itself, then names starting with the words typed, then containing them. */
function find(data: Communes, term: string): Commune[] {
  const q = fold(term);
  if (/^[0-9]|^2[ab]/i.test(q)) return data.all.filter((c) => c.code.toLowerCase().startsWith(q)).slice(0, 8);
  const rank = (c: Commune) => (c.folded === q ? 0 : c.folded.startsWith(q) ? 1 : c.folded.includes(' ' + q) ? 2 : 3) * 3 + c.type;
  return data.all.filter((c) => c.folded.includes(q)).sort((a, b) => rank(a) - rank(b) || a.name.length - b.name.length).slice(0, 8);
}

const departementOf = (code: string) => (code.startsWith('97') ? code.slice(0, 3) : code.slice(0, 2));
function describe(data: Communes, c: Commune) {
  const d = data.departements[departementOf(c.code)];
  return [c.code, d ? `${d} (${departementOf(c.code)})` : '', c.type === 1 ? t.commune.former : c.type === 2 ? t.commune.arrondissement : '']
    .filter(Boolean).join(' · ');
}

export function CommunePicker({ name, value, onValue, error, hint }: {
  name: string; value: string; onValue: (v: string) => void; error?: string; hint?: string;
}) {
  const [data, setData] = useState<Communes | null>(null);
  const [items, setItems] = useState<Commune[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const listId = fieldId(name) + '-list';
  const term = value.trim();

  useEffect(() => {
    if (!term || data) return;
    loadCommunes().then(setData, () => { /* offline or not built: the field still takes a code */ });
  }, [term, data]);
  useEffect(() => {
    if (!data || term.length < 2 || isCommuneCode(term)) { setItems([]); setOpen(false); return; }
    const found = find(data, term);
    setItems(found); setOpen(found.length > 0); setActive(-1);
  }, [term, data]);

  const choose = (c: Commune) => { onValue(c.code); setOpen(false); setItems([]); };
  const onKey = comboKeys({ open, setOpen, active, setActive, items, choose });
  const named = data && isCommuneCode(term) ? data.byCode.get(term.toUpperCase()) : undefined;
  return (
    <FieldShell name={name} label={t.identity.birthplace} hint={hint} error={error}>
      {({ id, describedBy, invalid }) => (
        <div class="combo">
          <input id={id} name={name} type="text" role="combobox" aria-autocomplete="list" aria-expanded={open ? 'true' : 'false'}
            aria-controls={listId} aria-activedescendant={open && active >= 0 ? `${listId}-${active}` : undefined}
            aria-describedby={[describedBy, `${id}-named`].filter(Boolean).join(' ')} aria-invalid={invalid ? 'true' : undefined}
            autocomplete="off" spellcheck={false} maxLength={80} value={value}
            onInput={(e) => onValue((e.currentTarget as HTMLInputElement).value)} onKeyDown={onKey}
            onBlur={() => setTimeout(() => setOpen(false), 150)} onFocus={() => { if (items.length) setOpen(true); }} />
          <ul id={listId} role="listbox" aria-label={t.identity.birthplace} class="combo__list" hidden={!open || items.length === 0}>
            {items.map((c, i) => (
              <li id={`${listId}-${i}`} key={c.code + c.name} role="option" aria-selected={i === active ? 'true' : 'false'}
                class={i === active ? 'combo__option is-active' : 'combo__option'} onMouseDown={(e) => { e.preventDefault(); choose(c); }}>
                <span class="combo__name">{c.name}</span>
                <span class="combo__meta">{describe(data!, c)}</span>
              </li>
            ))}
          </ul>
          <p class="hint" id={`${id}-named`} data-testid="birthplace-named" aria-live="polite">
            {named ? named.map((c) => `${c.name} — ${describe(data!, c)}`).join(' ; ')
              : data && isCommuneCode(term) && !term.startsWith('99') ? t.commune.unknownCode : ''}
          </p>
        </div>
      )}
    </FieldShell>
  );
}
