/* PDSA Tracker's service worker, served as /sw.js (scope: the whole site).
 *
 * The server puts `const SETTINGS = {version, shell, offline}` before this file: the cache
 * version (a hash of the static files, so a deploy brings new caches), the app shell's URLs
 * and the page shown offline when a page was never saved.
 *
 * - Static files (the app's, Bootstrap's): from the cache, fetched and kept when missing.
 * - Pages: from the network; a copy of the pages a ward needs offline (dashboard, cycles,
 *   measures, the quick log, tally and grid) is kept, and shown when the network fails, with
 *   a banner saying when it was saved. Other pages offline get the offline page.
 * - Never cached: anything but GET (POSTs go straight to the server), sign-in pages, the API.
 * - Signing out empties these caches (the sign-out response's Clear-Site-Data, offline.js).
 * - Background Sync: asks the open pages to send their outbox (offline.js does the sending).
 */
/* global SETTINGS */
'use strict';

const SHELL_CACHE = 'shell-' + SETTINGS.version;
const PAGE_CACHE = 'pages-v1';  // the user's pages: kept across deploys, emptied at sign-out
const PAGES_KEPT = 40;
// Pages worth keeping for offline reading or entry (path only; the query string is kept in the key).
const KEPT_PAGES = /^\/(dashboard|cycles\/(quick|\d+)?|measures\/(sites|\d+(\/data|\/tally)?)?)$/;
const SAVED_AT = 'X-Saved-At';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(SETTINGS.shell.concat([SETTINGS.offline])))
      .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  // Old versions' shells go; the saved pages stay.
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('shell-') && k !== SHELL_CACHE)
        .map((k) => caches.delete(k))))
      .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/static/') || url.pathname.startsWith('/bootstrap/static/')) {
    event.respondWith(fromCacheFirst(request));
  } else if (request.mode === 'navigate') {
    event.respondWith(fromNetworkFirst(request, url));
  }
});

async function fromCacheFirst(request) {
  const hit = await caches.match(request, {ignoreSearch: true});
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) (await caches.open(SHELL_CACHE)).put(request, response.clone());
  return response;
}

async function fromNetworkFirst(request, url) {
  const keep = KEPT_PAGES.test(url.pathname);
  try {
    const response = await fetch(request);
    const html = (response.headers.get('Content-Type') || '').startsWith('text/html');
    if (keep && response.ok && !response.redirected && html) {
      await savePage(request, response.clone());
    }
    return response;
  } catch (offline) {
    const saved = keep ? await caches.match(request, {cacheName: PAGE_CACHE}) : undefined;
    if (saved) return withBanner(saved);
    return (await caches.match(SETTINGS.offline)) || Response.error();
  }
}

/* Keep a copy with the time it was saved; only the newest PAGES_KEPT pages stay. */
async function savePage(request, response) {
  const headers = new Headers(response.headers);
  headers.set(SAVED_AT, new Date().toISOString());
  const cache = await caches.open(PAGE_CACHE);
  await cache.delete(request);  // re-added last: the keys stay oldest first
  await cache.put(request, new Response(await response.blob(), {status: 200, headers}));
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - PAGES_KEPT))
    .map((key) => cache.delete(key)));
}

/* The saved page, with a banner where base.html marks its place (<!--offline-banner-->). */
async function withBanner(saved) {
  const when = new Date(saved.headers.get(SAVED_AT) || Date.now());
  const text = when.toLocaleString('en-GB', {day: 'numeric', month: 'short', hour: '2-digit',
    minute: '2-digit'});
  const banner = '<div class="alert alert-warning offline-banner" role="status">' +
    'You are offline — this page may be out of date (saved ' + text + ').</div>';
  const html = (await saved.text()).replace('<!--offline-banner-->', banner);
  return new Response(html, {status: 200, headers: saved.headers});
}

self.addEventListener('sync', (event) => {
  if (event.tag !== 'outbox') return;
  event.waitUntil(self.clients.matchAll({type: 'window'}).then((pages) => {
    pages.forEach((page) => page.postMessage('send-outbox'));
  }));
});
