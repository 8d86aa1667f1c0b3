// Registers the service worker that makes heroicrun installable on a phone.
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js");
