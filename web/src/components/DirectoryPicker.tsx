// Choose a professional or a structure of the directory (GET /directory/search) with the ARIA 1.2 combobox
// pattern of SearchCombobox, as StructurePicker does: arrows move in the list, Enter chooses, Escape closes,
// the count is announced.
import { api, type DirSearchItem } from '../api';
import { t } from '../i18n';
import { itemName } from './directory';
import { SearchCombobox } from './SearchCombobox';

function meta(i: DirSearchItem) {
  const what = i.kind === 'professional'
    ? (i.profession_label ?? (i.profession_code ? t.professions[i.profession_code] : null))
    : (i.category_label ?? t.directory.kindOne.structure);
  return [what, i.specialty, i.commune, i.has_account ? t.directory.hasAccount : null].filter(Boolean).join(' · ');
}

const search = async (q: string, signal: AbortSignal) => (await api.directorySearch({ q, per_page: 10 }, signal)).items;
const itemKey = (i: DirSearchItem) => `${i.kind}-${i.id}`;

export function DirectoryPicker({ name, value, onChange, error }:
  { name: string; value: DirSearchItem | null; onChange: (s: DirSearchItem | null) => void; error?: string }) {
  return (
    <SearchCombobox name={name} value={value} onChange={onChange} error={error} search={search}
      itemKey={itemKey} itemName={itemName} itemMeta={meta} chosenTestId="directory-chosen"
      texts={{
        label: t.circle.directorySearch, hint: t.circle.directoryHint, searching: t.directory.searching,
        results: t.circle.directoryResults, chosen: t.circle.chosen, change: t.circle.change,
      }} />
  );
}
