// Tocsin's service worker: the app shell works offline (pages network-first with the cached copy
// as fallback; hashed assets cache-first: they never change), the API and the live stream are
// never cached, and Web Push messages become notifications.
const SHELL = 'tocsin-shell-v1';

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(['/', '/manifest.webmanifest', '/icon.svg'])));
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(
      caches.match(request).then(
        (hit) =>
          hit ||
          fetch(request).then((response) => {
            if (response.ok) {
              const copy = response.clone();
              caches.open(SHELL).then((cache) => cache.put(request, copy));
            }
            return response;
          }),
      ),
    );
    return;
  }
  if (request.mode === 'navigate' && (url.pathname === '/' || url.pathname === '/console')) {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(SHELL).then((cache) => cache.put(url.pathname, copy));
          }
          return response;
        })
        .catch(() => caches.match(url.pathname).then((hit) => hit || Response.error())),
    );
  }
});

// Web Push (RFC 8030): the hub's compact summary of an event (src/delivery/push/webpush-payload.ts):
// { type, event, status, headline: { uk, en }, regions, reason, ... }. Drills are marked as such.
self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  const uk = (self.navigator.language || '').toLowerCase().startsWith('uk');
  const headline = (data.headline && (data.headline[uk ? 'uk' : 'en'] || data.headline.uk || data.headline.en)) || data.event || 'Tocsin';
  const drill = data.status && data.status !== 'Actual' ? (uk ? '[НАВЧАННЯ] ' : '[EXERCISE] ') : '';
  const ended = data.type === 'alert.ended' ? (uk ? 'Відбій: ' : 'All clear: ') : '';
  const regions = Array.isArray(data.regions) ? data.regions.join(', ') : '';
  event.waitUntil(
    self.registration.showNotification(`${drill}${ended}${headline}`, {
      body: regions,
      tag: data.incident || 'tocsin',
      renotify: true,
      icon: '/icon.svg',
      data: { url: '/' },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = (event.notification.data && event.notification.data.url) || '/';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((list) => {
      for (const client of list) if ('focus' in client) return client.navigate(target).then((c) => c && c.focus());
      return self.clients.openWindow(target);
    }),
  );
});
