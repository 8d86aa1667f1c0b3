// heroicrun's service worker: it makes the app installable (and so a share target on phones),
// keeps the run page working without a network, and sends finished runs that waited offline.
//
// Only the run page is cached: a runner out of signal must still be able to open it and record.
// Every other page stays fresh from the server, uncached. The outbox code is the run page's own
// (outbox.js), so the page and this worker send a run the same way, one at a time.
importScripts("/static/outbox.js");

var CACHE = "heroicrun-run";
var PAGE = "/run";
var FILES = ["/static/heroicrun.css", "/static/outbox.js", "/static/live.js", "/static/geodesy.js", "/static/cues.js", "/static/install.js", "/static/icon.svg"];
// A network that answers nothing for this long is as good as none, when a copy is at hand.
var PATIENCE_MS = 4000;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === "/signout") {
    // The cached run page names its runner and their missions: it goes with the session.
    event.waitUntil(caches.delete(CACHE));
    return;
  }
  if (request.method !== "GET") return;
  // The run page's files are kept for the run page alone: other pages fetch them as they
  // always have, with nothing in between.
  var forRun = FILES.indexOf(url.pathname) !== -1 && fromRunPage(request);
  if (url.pathname === PAGE || forRun) event.respondWith(networkFirst(request));
});

function fromRunPage(request) {
  try {
    return new URL(request.referrer).pathname === PAGE;
  } catch (ignored) {
    return false; // no referrer: not asked for by a page
  }
}

function networkFirst(request) {
  var fetched = fetch(request).then(function (answer) {
    var url = new URL(answer.url || request.url);
    if (answer.ok && !answer.redirected && (url.pathname === PAGE || FILES.indexOf(url.pathname) !== -1)) {
      var copy = answer.clone();
      caches.open(CACHE).then(function (cache) { return keep(cache, request, copy); });
    }
    return answer;
  });
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request, { ignoreSearch: true }).then(function (kept) {
      if (!kept) return fetched;
      var late = new Promise(function (resolve) { setTimeout(function () { resolve(kept); }, PATIENCE_MS); });
      return Promise.race([fetched.catch(function () { return kept; }), late]);
    });
  });
}

// One copy per file: a new version of the page's files replaces the old one.
function keep(cache, request, answer) {
  return cache.keys().then(function (keys) {
    var path = new URL(request.url).pathname;
    return Promise.all(keys.filter(function (key) {
      return new URL(key.url).pathname === path && key.url !== request.url;
    }).map(function (key) { return cache.delete(key); }));
  }).then(function () { return cache.put(request.url, answer); });
}

function sendOutbox() {
  return self.HeroicrunOutbox.send().then(function (results) {
    return self.clients.matchAll({ type: "window" }).then(function (windows) {
      windows.forEach(function (client) { client.postMessage({ type: "heroicrun-outbox", results: results }); });
      return results;
    });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag !== self.HeroicrunOutbox.SYNC_TAG) return;
  event.waitUntil(sendOutbox().then(function (results) {
    // Still no network: failing the sync makes the browser try again later.
    if (results.some(function (result) { return result.outcome === "waiting" && result.detail === "no network"; })) {
      throw new Error("the outbox is still waiting for the network");
    }
  }));
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "heroicrun-send-outbox") event.waitUntil(sendOutbox());
});
