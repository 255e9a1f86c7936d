import { signal } from '@preact/signals';

export const online = signal(typeof navigator === 'undefined' ? true : navigator.onLine);
export const cameBack = signal(false);
window.addEventListener('online', () => { online.value = true; cameBack.value = true; setTimeout(() => { cameBack.value = false; }, 5000); });
window.addEventListener('offline', () => { online.value = false; cameBack.value = false; });
