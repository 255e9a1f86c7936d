// Search-as-you-type on GET /structures?q= following the ARIA 1.2 combobox pattern (list autocomplete) of
// SearchCombobox: arrows move in the list, Enter chooses, Escape closes; the number of results is announced.
import { api, type Structure } from '../api';
import { t } from '../i18n';
import { SearchCombobox } from './SearchCombobox';

const search = async (q: string, signal: AbortSignal) => (await api.structures(q, signal)).items;
const itemKey = (s: Structure) => s.id;
const itemName = (s: Structure) => s.name;
const itemMeta = (s: Structure) => [s.kind, s.commune].filter(Boolean).join(' · ');
const chosenMeta = (s: Structure) => s.commune || '';

export function StructurePicker({ value, onChange, error }:
  { value: Structure | null; onChange: (s: Structure | null) => void; error?: string }) {
  return (
    <SearchCombobox name="structure_id" value={value} onChange={onChange} error={error} search={search}
      itemKey={itemKey} itemName={itemName} itemMeta={itemMeta} chosenMeta={chosenMeta} chosenTestId="structure-chosen"
      texts={{
        label: t.signup.structureSearch, hint: t.signup.structureHint, searching: t.signup.structureSearching,
        results: t.signup.structureResults, chosen: t.signup.structureChosen, change: t.signup.structureChange,
      }} />
  );
}
