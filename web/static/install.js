// Registers the service worker that makes heroicrun installable on a phone. Its update checks
// skip the HTTP cache for the scripts it imports too (the run page's outbox), not only for itself.
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { updateViaCache: "none" });
