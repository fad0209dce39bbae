// KOTAN's service worker (issue 15, the field kit), served at /sw.js by assessments/fieldkit/pwa.py.
//
// Hand-written, not Workbox: it does two things, a precache of the field page's static files (their hashed
// URLs, listed below by the server) and one network-first rule for page navigations, whose offline answer
// is the cached field page (or a small offline page). Workbox would add a library and a build step to keep
// up to date for those thirty lines.
//
// It never touches a POST (sync, photo, export, every form), a *.json request (session, package, sync) or
// another origin: those always go to the network, so the server alone decides about them.
"use strict";

const CONFIG = {{ config|safe }};
const ASSETS = "kotan-assets-" + CONFIG.version;
const PAGES = "kotan-pages"; // the field page and the offline page; js/fieldkit/store.js clears the first on logout

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const assets = await caches.open(ASSETS);
    await assets.addAll(CONFIG.assets);
    const pages = await caches.open(PAGES);
    await pages.add(new Request(CONFIG.offline_url, { credentials: "omit" }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("kotan-assets-") && name !== ASSETS) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

const PRECACHED = new Set(CONFIG.assets);

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.endsWith(".json")) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(request, url));
  } else if (PRECACHED.has(url.pathname)) {
    event.respondWith(caches.match(request, { cacheName: ASSETS }).then((hit) => hit || fetch(request)));
  }
});

// Network first; the field page's fresh copy replaces the cached one (never a redirect to the login page).
async function navigate(request, url) {
  const isField = url.pathname === CONFIG.field_url;
  try {
    const response = await fetch(request);
    if (isField && response.ok && !response.redirected) {
      const pages = await caches.open(PAGES);
      await pages.put(CONFIG.field_url, response.clone());
    }
    return response;
  } catch (error) {
    const pages = await caches.open(PAGES);
    const cached = (isField && (await pages.match(CONFIG.field_url))) || (await pages.match(CONFIG.offline_url));
    if (cached) return cached;
    throw error;
  }
}
