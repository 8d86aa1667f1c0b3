// The run page's store and outbox: the fixes and cue memo of the run being recorded, and the
// finished runs waiting to be sent, in IndexedDB. It runs in the page (live.js) and in the
// service worker (sw.js) alike: one copy of the code that sends a finished run, whichever of
// them gets the network back first, one sender at a time.
(function (scope) {
  "use strict";
  var DATABASE = "heroicrun-live";
  var LOCK = "heroicrun-outbox";
  // A sender that died mid-upload (a closed tab) leaves its mark: after this long another may try.
  var STALE_SENDING_MS = 120000;

  function opened() {
    return new Promise(function (resolve, reject) {
      var request = scope.indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("meta", { keyPath: "id" });
        db.createObjectStore("fixes", { autoIncrement: true });
        db.createObjectStore("outbox", { keyPath: "id" });
        db.createObjectStore("delivered", { keyPath: "id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
      request.onblocked = function () { reject(new Error("the run store is blocked by another tab")); };
    });
  }

  var database = null;
  function db() {
    if (!database) {
      database = opened().then(function (found) {
        // Another tab upgrading the store: let it, and open again on the next call.
        found.onversionchange = function () { found.close(); database = null; };
        return found;
      });
      database.catch(function () { database = null; });
    }
    return database;
  }

  // Runs `work(stores)` in one transaction over `names`; resolves with what work returned
  // once the transaction has committed (so a fix is on disk before the next arrives).
  function transaction(names, mode, work) {
    return db().then(function (found) {
      return new Promise(function (resolve, reject) {
        var tx = found.transaction(names, mode);
        var stores = {};
        names.forEach(function (name) { stores[name] = tx.objectStore(name); });
        var result;
        tx.oncomplete = function () { resolve(result && result.value !== undefined ? result.value : result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new Error("the run store refused a write")); };
        result = work(stores, tx);
      });
    });
  }

  function all(store) {
    var holder = {};
    var request = store.getAll();
    request.onsuccess = function () { holder.value = request.result; };
    return holder;
  }

  function one(store, key) {
    var holder = {};
    var request = store.get(key);
    request.onsuccess = function () { holder.value = request.result === undefined ? null : request.result; };
    return holder;
  }

  var store = {
    meta: function () { return transaction(["meta"], "readonly", function (s) { return one(s.meta, "current"); }); },
    setMeta: function (meta) {
      return transaction(["meta"], "readwrite", function (s) { s.meta.put(Object.assign({ id: "current" }, meta)); });
    },
    addFix: function (fix) {
      return transaction(["fixes"], "readwrite", function (s) { s.fixes.add(fix); });
    },
    fixes: function () { return transaction(["fixes"], "readonly", function (s) { return all(s.fixes); }); },
    // A new run: nothing of an earlier one stays behind.
    begin: function (meta) {
      return transaction(["meta", "fixes"], "readwrite", function (s) {
        s.fixes.clear();
        s.meta.put(Object.assign({ id: "current" }, meta));
      });
    },
    discard: function () {
      return transaction(["meta", "fixes"], "readwrite", function (s) {
        s.fixes.clear();
        s.meta.delete("current");
      });
    },
    // The finished file goes into the outbox in the same transaction that forgets the fixes:
    // whatever happens, the run is in one place or the other.
    seal: function (entry) {
      return transaction(["meta", "fixes", "outbox"], "readwrite", function (s) {
        s.outbox.put(entry);
        s.fixes.clear();
        s.meta.delete("current");
      });
    },
    outbox: function () { return transaction(["outbox"], "readonly", function (s) { return all(s.outbox); }); },
    dropOutbox: function (id) {
      return transaction(["outbox"], "readwrite", function (s) { s.outbox.delete(id); });
    },
    delivered: function () { return transaction(["delivered"], "readonly", function (s) { return all(s.delivered); }); },
    forgetDelivered: function (id) {
      return transaction(["delivered"], "readwrite", function (s) { s.delivered.delete(id); });
    },
  };

  // Marks an entry as being sent, unless another sender marked it recently: true when the mark
  // is ours. One transaction, so two senders cannot both read "unmarked".
  function claim(id) {
    return transaction(["outbox"], "readwrite", function (s) {
      var holder = { value: false };
      var request = s.outbox.get(id);
      request.onsuccess = function () {
        var entry = request.result;
        if (!entry || entry.refused) return;
        if (entry.sending_ms && Date.now() - entry.sending_ms < STALE_SENDING_MS) return;
        entry.sending_ms = Date.now();
        s.outbox.put(entry);
        holder.value = true;
      };
      return holder;
    });
  }

  function unclaim(id, refused) {
    return transaction(["outbox"], "readwrite", function (s) {
      var request = s.outbox.get(id);
      request.onsuccess = function () {
        var entry = request.result;
        if (!entry) return;
        entry.sending_ms = null;
        if (refused) entry.refused = refused;
        s.outbox.put(entry);
      };
    });
  }

  // Delivered: out of the outbox, and its answer kept for the page to show, in one go.
  function delivered(entry, answer) {
    return transaction(["outbox", "delivered"], "readwrite", function (s) {
      s.outbox.delete(entry.id);
      s.delivered.put({ id: entry.id, title: entry.title, answer: answer, at_ms: Date.now() });
    });
  }

  function who() {
    return scope.fetch("/api/me", { credentials: "same-origin", cache: "no-store" }).then(function (answer) {
      if (answer.status === 401) return null;
      if (!answer.ok) throw new Error("the server answered " + answer.status);
      return answer.json().then(function (me) { return me.name; });
    });
  }

  // One entry up: "sent" (stored, or already there: the server says `duplicate`), "refused"
  // (the server read the file and said no: kept, not sent again) or "waiting" (no network,
  // signed out, a busy server: sent again later).
  function sendOne(entry) {
    var form = new FormData();
    form.append("files", new Blob([entry.gpx], { type: "application/gpx+xml" }), entry.file);
    return scope.fetch("/api/runs", { method: "POST", body: form, credentials: "same-origin" })
      .then(function (answer) {
        return answer.json().catch(function () { return {}; }).then(function (body) {
          if (answer.ok) {
            return delivered(entry, body).then(function () { return { id: entry.id, outcome: "sent", answer: body }; });
          }
          if (answer.status === 422) {
            var why = body.detail || "the server refused the file";
            return unclaim(entry.id, why).then(function () { return { id: entry.id, outcome: "refused", detail: why }; });
          }
          var detail = answer.status === 401 ? "signed out" : "the server answered " + answer.status;
          return unclaim(entry.id).then(function () { return { id: entry.id, outcome: "waiting", detail: detail }; });
        });
      }, function () {
        return unclaim(entry.id).then(function () { return { id: entry.id, outcome: "waiting", detail: "no network" }; });
      });
  }

  function sendAll() {
    return store.outbox().then(function (entries) {
      var waiting = entries.filter(function (entry) { return !entry.refused; });
      if (!waiting.length) return [];
      // A run goes up as the runner who ran it, never as whoever is signed in now.
      return who().then(function (name) {
        var results = [];
        var chain = Promise.resolve();
        waiting.forEach(function (entry) {
          chain = chain.then(function () {
            if (name === null || (entry.runner && entry.runner !== name)) {
              results.push({ id: entry.id, outcome: "waiting", detail: name === null ? "signed out" : "signed in as someone else" });
              return null;
            }
            return claim(entry.id).then(function (ours) {
              if (!ours) return null;
              return sendOne(entry).then(function (result) { results.push(result); });
            });
          });
        });
        return chain.then(function () { return results; });
      }, function () {
        return waiting.map(function (entry) { return { id: entry.id, outcome: "waiting", detail: "no network" }; });
      });
    });
  }

  // One sender at a time across the page, other tabs and the service worker: the Web Locks API
  // where there is one, and the sending mark in the store in any case.
  function send() {
    var locks = scope.navigator && scope.navigator.locks;
    if (locks && locks.request) return locks.request(LOCK, sendAll);
    return sendAll();
  }

  scope.HeroicrunOutbox = { store: store, send: send, SYNC_TAG: LOCK };
})(self);
