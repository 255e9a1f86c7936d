// What the offline pages read from the store (offline/store.ts), decrypted with the key the device code opened.
import { useEffect, useState } from 'preact/hooks';
import type { Favorite, NotebookEntry, Patient, PatientAlert } from '../api';
import { readCollection } from './store';
import { currentKey, storeVersion } from './sync';

export interface OfflinePatient { patient: Patient; alerts: PatientAlert[] }

/** Age in whole years from a "YYYY-MM-DD" birth date (00 for an unknown day or month), or null. */
export function ageOf(birth: string, now = new Date()): number | null {
  const [y, m, d] = birth.split('-').map(Number);
  if (!y) return null;
  let age = now.getFullYear() - y;
  if (m && (now.getMonth() + 1 < m || (now.getMonth() + 1 === m && d && now.getDate() < d))) age--;
  return age;
}

/** The commune of a free-text address: what follows its postcode ("12 rue X, 51100 Reims" → "Reims"). */
export function communeOf(address: string | null): string | null {
  const m = address?.match(/\b\d{5}\s+([^,\n]+)/);
  return m ? m[1].trim() : null;
}

export const openAlertsOf = (alerts: PatientAlert[]) => alerts.filter((a) => a.for_me && !a.acknowledged_by_me).length;

function useStore<T>(read: (key: CryptoKey) => Promise<T>, deps: unknown[]): T | null {
  const [v, setV] = useState<T | null>(null);
  useEffect(() => {
    const key = currentKey();
    if (!key) return;
    let live = true;
    read(key).then((x) => { if (live) setV(x); }).catch(() => { if (live) setV(null); });
    return () => { live = false; };
  }, [...deps, storeVersion.value]);
  return v;
}

export function useOfflinePatients() {
  return useStore(async (key) => {
    const [patients, alerts, favorites] = await Promise.all([readCollection<Patient>(key, 'patients'),
      readCollection<PatientAlert>(key, 'alerts'), readCollection<Favorite>(key, 'favorites')]);
    const list: OfflinePatient[] = patients.map((p) => ({ patient: p, alerts: alerts.filter((a) => a.patient_id === p.id) }));
    list.sort((a, b) => a.patient.birth_name.localeCompare(b.patient.birth_name, 'fr'));
    return { list, favorites };
  }, []);
}

export function useOfflinePatient(id: string) {
  return useStore(async (key) => {
    const [patients, entries, alerts] = await Promise.all([readCollection<Patient>(key, 'patients', id),
      readCollection<NotebookEntry>(key, 'entries', id), readCollection<PatientAlert>(key, 'alerts', id)]);
    return { patient: patients[0] ?? null, entries, alerts };
  }, [id]);
}
