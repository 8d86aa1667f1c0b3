// heroicrun's service worker: it makes the app installable (and so a share target on phones).
// It caches nothing: every page is fresh from the server on the home network.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", () => {});
