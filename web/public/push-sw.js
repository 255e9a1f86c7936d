// Web Push in the service worker (docs/messaging.md, "Web Push"), imported by the one Workbox generates
// (vite.config.ts, workbox.importScripts). A push says who wrote, never what: the notification shows it as it came,
// replaces the earlier one of the same conversation (tag), and a tap opens the conversation in Cordée.
/* eslint-env serviceworker */

// Only a path of this site is opened: a push cannot send the user elsewhere.
function safePath(url) {
  return typeof url === 'string' && url.startsWith('/') && !url.startsWith('//') ? url : '/messages';
}

self.addEventListener('push', (event) => {
  let notice = {};
  try { notice = event.data ? event.data.json() : {}; } catch { /* not JSON: the generic notice */ }
  const title = typeof notice.title === 'string' && notice.title ? notice.title : 'Cordée';
  event.waitUntil(self.registration.showNotification(title, {
    body: typeof notice.body === 'string' ? notice.body : '',
    tag: typeof notice.tag === 'string' && notice.tag ? notice.tag : undefined,
    renotify: Boolean(notice.tag),
    lang: 'fr',
    icon: '/icon-192.png',
    badge: '/icon-192.png',
    data: { url: safePath(notice.url) },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = safePath(event.notification.data && event.notification.data.url);
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((c) => new URL(c.url).origin === self.location.origin);
    if (open) {
      await open.focus();
      open.postMessage({ type: 'cordee-open', url });  // the page's router goes there (components/PushOffer.tsx)
      return;
    }
    await self.clients.openWindow(url);
  })());
});

// The push service renewed or dropped the subscription: subscribe again with the same server key and register it.
// The POST needs the CSRF token of the cookie session; where the worker cannot read it (no cookieStore), the page
// registers the new subscription when it next opens (PushOffer's renewal at each start).
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil((async () => {
    const key = event.oldSubscription && event.oldSubscription.options.applicationServerKey;
    const sub = event.newSubscription ||
      (key ? await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }) : null);
    if (!sub) return;
    const csrf = self.cookieStore ? await self.cookieStore.get('__Host-cordee_csrf').catch(() => null) : null;
    if (csrf) {
      await fetch('/api/v1/push/subscriptions', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf.value },
        body: JSON.stringify(sub.toJSON()),
      }).catch(() => { /* offline: the page registers it at its next start */ });
    }
    for (const c of await self.clients.matchAll({ type: 'window' })) c.postMessage({ type: 'cordee-push-renew' });
  })());
});
