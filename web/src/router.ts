// A tiny history router: the current path and query as a signal, navigate(), and one document-level
// click handler so that plain <a href="/…"> links stay links (open in new tab, copy address…).
import { signal } from '@preact/signals';

export interface Location { path: string; query: URLSearchParams }

function read(): Location {
  return { path: window.location.pathname.replace(/\/+$/, '') || '/', query: new URLSearchParams(window.location.search) };
}

export const route = signal<Location>(read());

/** `scroll: false` keeps the scroll position (a search page rewriting its own query). */
export function navigate(to: string, { replace = false, scroll = true } = {}) {
  const url = new URL(to, window.location.origin);
  const target = url.pathname + url.search + url.hash;
  if (target !== window.location.pathname + window.location.search + window.location.hash) {
    if (replace) history.replaceState(null, '', target); else history.pushState(null, '', target);
  }
  route.value = read();
  if (!url.hash && scroll) window.scrollTo(0, 0);
}

export function startRouter() {
  window.addEventListener('popstate', () => { route.value = read(); });
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download') || a.getAttribute('rel') === 'external') return;
    const href = a.getAttribute('href');
    if (!href || !href.startsWith('/') || href.startsWith('//') || href.startsWith('/api/')) return;
    e.preventDefault();
    navigate(href);
  });
}

/** `/connexion?suite=/profil`: where to go back after logging in (same-origin paths only). */
export function loginUrl(back?: string) {
  const b = back ?? window.location.pathname + window.location.search;
  return b && b !== '/' && b.startsWith('/') && !b.startsWith('//') && !b.startsWith('/connexion')
    ? `/connexion?suite=${encodeURIComponent(b)}` : '/connexion';
}
export function safeBack(q: URLSearchParams): string {
  const s = q.get('suite');
  return s && s.startsWith('/') && !s.startsWith('//') ? s : '/';
}
