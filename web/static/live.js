// The run page (/run): records a run from the phone's GPS, speaks the mission as it happens
// (the cues come from cues.js), and at the finish writes the run as a GPX file that goes up
// through the normal upload path (outbox.js), where the engine judges it like any other file.
(function () {
  "use strict";
  var root = document.getElementById("run-live");
  if (!root) return;
  var Outbox = self.HeroicrunOutbox;
  var store = Outbox.store;
  var WORST_ACCURACY_M = 50;
  // A fix older than this when Start is pressed is not where the runner stands now.
  var FRESH_FIX_MS = 15000;
  var SWITCHES_KEY = "heroicrun-live-switches";
  var CATEGORY = {
    km: "km", place: "km", chapter: "chapters",
    "chase-start": "chases", "chase-progress": "chases", "chase-won": "chases", "chase-lost": "chases",
    "surge-prompt": "chases", "surge-held": "chases", "surge-missed": "chases",
  };
  // Cues that must be heard now, not after the end of a chapter being read.
  var URGENT = { "chase-start": true, "surge-prompt": true, "chase-progress": true };

  function $(id) { return document.getElementById(id); }
  var FREE_RUN = { id: null, title: "Free run", briefing: null, earn: [], progress_km: null, route_km: null,
    places: [], chapters: [], chases: [], surges: null };
  var plans = JSON.parse($("run-plans").textContent || "[]");
  if (!plans.length) plans = [FREE_RUN];
  var runner = root.getAttribute("data-runner") || "";

  var state = {
    phase: "idle", // idle → starting → running ⇄ paused → finished
    plan: plans[0] || null,
    coach: null,
    segment: 0,
    lastFix: null, // the last fix the GPS gave, good or not: {t_ms, arrived_ms, accuracy_m}
    lastGood: null, // the last fix good enough to record
    lastT: null, // the time of the last recorded fix
    offsetMs: 0, // the GPS clock minus this device's clock
    watch: null,
    ticker: null,
    wakeLock: null,
    startedMs: null,
    gpxUrl: null,
    begun: false, // the store holds this run (begin has emptied it of the last)
    early: [], // fixes that came while it was being emptied
  };

  // --- switches -------------------------------------------------------------------------
  var switches = { voice: true, vibrate: true, km: true, chapters: true, chases: true };
  try {
    Object.assign(switches, JSON.parse(localStorage.getItem(SWITCHES_KEY) || "{}"));
  } catch (ignored) { /* a broken saved value: the defaults */ }
  Object.keys(switches).forEach(function (name) {
    var box = $("switch-" + name);
    if (!box) return;
    box.checked = !!switches[name];
    box.addEventListener("change", function () {
      switches[name] = box.checked;
      try { localStorage.setItem(SWITCHES_KEY, JSON.stringify(switches)); } catch (ignored) { /* private mode */ }
      if (name === "voice" && !box.checked && self.speechSynthesis) speechSynthesis.cancel();
    });
  });

  // --- words ----------------------------------------------------------------------------
  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var mm = (h && m < 10 ? "0" : "") + m, ss = (s < 10 ? "0" : "") + s;
    return h ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }
  function km(metres) { return (metres / 1000).toFixed(2) + " km"; }
  function text(id, value) { var el = $(id); if (el && el.textContent !== value) el.textContent = value; }

  // --- showing which part of the page is live --------------------------------------------
  function show(phase) {
    state.phase = phase;
    root.setAttribute("data-phase", phase);
    var recording = phase === "starting" || phase === "running" || phase === "paused";
    $("choose").hidden = recording || phase === "finished" || phase === "interrupted";
    $("live").hidden = !recording;
    $("finished").hidden = phase !== "finished";
    $("interrupted").hidden = phase !== "interrupted";
    $("start").hidden = phase !== "idle";
    $("pause").hidden = phase !== "running";
    $("resume").hidden = phase !== "paused";
    $("finish").hidden = !recording;
    $("finish-confirm").hidden = true;
    text("finish", phase === "starting" ? "Cancel" : "Finish");
    text("phase-words", {
      starting: "Waiting for a good GPS fix to start…",
      running: "Recording",
      paused: "Paused: the clock and the story wait for you",
    }[phase] || "");
  }

  // --- the plan chosen --------------------------------------------------------------------
  function showPlan() {
    var plan = state.plan;
    var briefing = $("plan-briefing");
    briefing.textContent = "";
    if (plan && plan.briefing) {
      plan.briefing.split(/\n\s*\n|\n/).forEach(function (paragraph) {
        if (!paragraph.trim()) return;
        var p = document.createElement("p");
        p.textContent = paragraph.trim();
        briefing.appendChild(p);
      });
    }
    var earn = $("plan-earn");
    earn.textContent = "";
    ((plan && plan.earn) || []).forEach(function (line) {
      var li = document.createElement("li");
      li.textContent = line;
      earn.appendChild(li);
    });
    $("plan-earn-block").hidden = !(plan && plan.earn && plan.earn.length);
    $("plan-briefing-block").hidden = !(plan && plan.briefing);
    text("plan-title", plan ? plan.title : "Free run");
    text("live-title", plan ? plan.title : "Free run");
  }

  // A mission the runner is in, chosen last time, is chosen again.
  var LAST_PLAN_KEY = "heroicrun-live-plan";
  var lastPlan = null;
  try { lastPlan = localStorage.getItem(LAST_PLAN_KEY); } catch (ignored) { /* private mode */ }
  plans.forEach(function (plan, index) {
    var label = document.createElement("label");
    label.className = "live-plan";
    var radio = document.createElement("input");
    radio.type = "radio";
    radio.name = "plan";
    radio.value = String(index);
    radio.checked = lastPlan !== null ? String(plan.id) === lastPlan : index === 0;
    var name = document.createElement("span");
    name.className = "live-plan-name";
    name.textContent = plan.title;
    label.appendChild(radio);
    label.appendChild(name);
    if (plan.id && plan.progress_km !== null && plan.route_km) {
      var where = document.createElement("span");
      where.className = "live-plan-where";
      where.textContent = "km " + Number(plan.progress_km).toFixed(1) + " of " + Math.round(plan.route_km);
      label.appendChild(where);
    }
    radio.addEventListener("change", function () {
      state.plan = plans[index];
      try { localStorage.setItem(LAST_PLAN_KEY, String(plans[index].id)); } catch (ignored) { /* private mode */ }
      showPlan();
    });
    $("plan-list").appendChild(label);
  });
  var checked = document.querySelector("input[name=plan]:checked");
  if (!checked) { checked = document.querySelector("input[name=plan]"); checked.checked = true; }
  state.plan = plans[Number(checked.value)] || plans[0];
  showPlan();

  $("hear-briefing").addEventListener("click", function () {
    var plan = state.plan;
    if (!plan) return;
    var words = [plan.briefing || ""];
    if (plan.earn && plan.earn.length) words.push("This run can earn: " + plan.earn.join(". ") + ".");
    speak({ kind: "briefing", text: words.join(" ").trim(), vibrate: null }, true);
  });

  // --- voice and vibration ------------------------------------------------------------------
  // Long text read in one utterance stops half-way in some browsers: a sentence or two each.
  function pieces(words) {
    var sentences = words.replace(/\s+/g, " ").trim().match(/[^.!?]+[.!?]+["'’”)]*\s*|[^.!?]+$/g) || [];
    var out = [];
    var current = "";
    sentences.forEach(function (sentence) {
      if (current && (current + sentence).length > 220) { out.push(current.trim()); current = ""; }
      current += sentence;
    });
    if (current.trim()) out.push(current.trim());
    return out;
  }

  function speak(cue, asked) {
    var category = CATEGORY[cue.kind];
    var wanted = asked || !category || switches[category];
    logCue(cue);
    if (!wanted) return;
    if (switches.voice && self.speechSynthesis && self.SpeechSynthesisUtterance) {
      if (URGENT[cue.kind]) speechSynthesis.cancel();
      pieces(cue.text).forEach(function (piece) {
        var utterance = new SpeechSynthesisUtterance(piece);
        utterance.lang = document.documentElement.lang || "en";
        speechSynthesis.speak(utterance);
      });
    }
    if (switches.vibrate && cue.vibrate && navigator.vibrate) {
      try { navigator.vibrate(cue.vibrate); } catch (ignored) { /* no vibration here */ }
    }
  }

  function logCue(cue) {
    var log = $("cue-log");
    var li = document.createElement("li");
    // A chapter or the briefing is read in full aloud and on the mission page: a line here.
    li.textContent = cue.text.length > 160 ? cue.text.slice(0, 150).replace(/\s+\S*$/, "") + " …" : cue.text;
    li.className = "cue cue-" + cue.kind;
    log.insertBefore(li, log.firstChild);
    while (log.children.length > 8) log.removeChild(log.lastChild);
    if (CATEGORY[cue.kind] === "chases") text("chase-now", cue.text);
  }

  function heard(cues) {
    cues = cues || [];
    cues.forEach(function (cue) { speak(cue, false); });
    // What was said is kept with the fixes, so a reload does not say it again.
    if (cues && cues.length && (state.phase === "running" || state.phase === "paused")) saveMeta();
  }

  // --- the screen stays on ------------------------------------------------------------------
  function keepAwake() {
    if (!("wakeLock" in navigator)) {
      text("wake-state", "This browser cannot keep the screen on: keep it on yourself, or the GPS stops.");
      return;
    }
    if (state.wakeLock) return;
    navigator.wakeLock.request("screen").then(function (lock) {
      state.wakeLock = lock;
      text("wake-state", "The screen stays on while you run.");
      lock.addEventListener("release", function () { state.wakeLock = null; });
    }, function () {
      text("wake-state", "The screen could not be kept on: keep it on yourself, or the GPS stops.");
    });
  }
  function letSleep() {
    if (state.wakeLock) state.wakeLock.release().catch(function () {});
    state.wakeLock = null;
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && (state.phase === "running" || state.phase === "starting")) keepAwake();
  });

  // --- GPS ------------------------------------------------------------------------------------
  // The run's clock is the GPS fixes' own; between fixes it runs on from the last one.
  function now() { return Date.now() + state.offsetMs; }

  function gpsWords(accuracy) {
    if (accuracy === null) return "Waiting for GPS…";
    if (accuracy <= WORST_ACCURACY_M) return "GPS good (±" + Math.round(accuracy) + " m)";
    return "GPS weak (±" + Math.round(accuracy) + " m): waiting for a better fix";
  }

  function watchGps() {
    if (state.watch !== null) return;
    if (!navigator.geolocation) {
      text("gps-state", "No GPS here: the run page needs a secure address (https://) and a browser with location.");
      root.setAttribute("data-gps", "none");
      return;
    }
    text("gps-state", gpsWords(null));
    root.setAttribute("data-gps", "waiting");
    state.watch = navigator.geolocation.watchPosition(onPosition, function (problem) {
      root.setAttribute("data-gps", "none");
      text("gps-state", problem && problem.code === 1
        ? "Location is blocked for this page: allow it in the browser's site settings."
        : "No GPS fix yet: go outside, under open sky.");
    }, { enableHighAccuracy: true, maximumAge: 0, timeout: 60000 });
  }

  function onPosition(position) {
    var coords = position.coords;
    var arrived = Date.now();
    var fix = {
      t_ms: Number(position.timestamp) || arrived,
      lat: coords.latitude,
      lon: coords.longitude,
      accuracy_m: coords.accuracy,
      ele: typeof coords.altitude === "number" && isFinite(coords.altitude) ? coords.altitude : null,
      arrived_ms: arrived,
    };
    state.offsetMs = fix.t_ms - arrived;
    state.lastFix = fix;
    var good = fix.accuracy_m <= WORST_ACCURACY_M;
    root.setAttribute("data-gps", good ? "good" : "weak");
    text("gps-state", gpsWords(fix.accuracy_m));
    if (!good) return;
    state.lastGood = fix;
    if (state.phase === "starting") begin(fix);
    else if (state.phase === "running") record(fix);
  }

  function record(fix) {
    if (state.lastT !== null && fix.t_ms <= state.lastT) return; // the same fix again
    if (!state.begun) { state.early.push(fix); return; } // the store is still being emptied
    state.lastT = fix.t_ms;
    fix.segment = state.segment;
    store.addFix(fix).catch(storeFailed);
    heard(state.coach.fix({ t_ms: fix.t_ms, lat: fix.lat, lon: fix.lon, accuracy_m: fix.accuracy_m }));
    refresh();
  }

  function storeFailed() {
    text("store-state", "This phone refused to store the run (is it out of space?): the run is only in the page now.");
  }

  // --- start, pause, finish ---------------------------------------------------------------------
  function newCoach(plan) {
    if (!self.HeroicrunCues) return null;
    return self.HeroicrunCues.createCoach(plan || plans[0]);
  }

  $("start").addEventListener("click", function () {
    state.coach = newCoach(state.plan);
    if (!state.coach) {
      text("gps-state", "The story's voice did not load: reload the page.");
      return;
    }
    state.segment = 0;
    state.lastT = null;
    $("cue-log").textContent = "";
    text("chase-now", "");
    watchGps();
    keepAwake();
    show("starting");
    // Press Start with the GPS good, and the run starts where and when its last fix was.
    var fix = state.lastGood;
    if (fix && Date.now() - fix.arrived_ms < FRESH_FIX_MS) begin(fix);
  });

  function begin(fix) {
    state.startedMs = fix.t_ms;
    state.offsetMs = fix.t_ms - fix.arrived_ms;
    show("running");
    var cues = state.coach.start(fix.t_ms);
    var plan = state.plan;
    if (plan && plan.earn && plan.earn.length) {
      cues.push({ kind: "briefing", text: "This run can earn: " + plan.earn.join(". ") + ".", vibrate: null });
    }
    // The store is emptied of any earlier run before this one's first fix goes in.
    state.begun = false;
    // A phone that refuses to store still records, in the page only (storeFailed says so).
    var begun = store.begin(meta()).catch(storeFailed).then(function () { state.begun = true; });
    heard(cues);
    begun.then(function () {
      record(fix);
      var early = state.early;
      state.early = [];
      early.forEach(record);
      saveMeta();
    });
    tick();
  }

  function meta() {
    return {
      plan: state.plan, runner: runner, started_ms: state.startedMs, segment: state.segment,
      phase: state.phase, memo: state.coach ? state.coach.memo() : null,
    };
  }

  function saveMeta() {
    if (!state.begun) return Promise.resolve();
    return store.setMeta(meta()).catch(storeFailed);
  }

  $("pause").addEventListener("click", function () {
    heard(state.coach.pause(now()));
    show("paused");
    saveMeta();
  });

  $("resume").addEventListener("click", function () {
    // Between Pause and Resume the watch is stopped: the file shows a gap, not a straight line.
    state.segment += 1;
    heard(state.coach.resume(now()));
    show("running");
    keepAwake();
    saveMeta();
  });

  $("finish").addEventListener("click", function () {
    if (state.phase === "starting") { // no fix yet, so no run: back to the start
      stopRecording();
      show("idle");
      return;
    }
    $("finish").hidden = true;
    $("finish-confirm").hidden = false;
    $("finish-yes").focus();
  });
  $("finish-no").addEventListener("click", function () {
    $("finish-confirm").hidden = true;
    $("finish").hidden = false;
    $("finish").focus();
  });
  $("finish-yes").addEventListener("click", function () { finish(); });

  function finish() {
    var cues = state.coach ? state.coach.finish(now()) : [];
    state.begun = false; // nothing more goes into the store: the run is sealed below
    heard(cues);
    var summary = state.coach ? state.coach.state() : null;
    stopRecording();
    store.fixes().then(function (fixes) {
      if (!fixes.length) {
        return store.discard().then(function () {
          show("finished");
          text("upload-state", "No GPS fix was recorded, so there is no run to upload.");
        });
      }
      var entry = outboxEntry(fixes, state.plan);
      offerFile(entry);
      return store.seal(entry).then(function () {
        show("finished");
        if (summary) text("finish-figures", km(summary.distance_m) + " in " + clock(summary.running_s));
        deliver();
      });
    }).catch(function (problem) {
      show("finished");
      text("upload-state", "The run could not be stored on this phone (" + problem + "): save the file below.");
    });
  }

  function stopRecording() {
    if (state.ticker !== null) clearInterval(state.ticker);
    state.ticker = null;
    letSleep();
  }

  // --- the live numbers ---------------------------------------------------------------------
  function tick() {
    if (state.ticker !== null) return;
    state.ticker = setInterval(function () {
      if (state.phase !== "running" && state.phase !== "paused") return;
      if (state.phase === "running") heard(state.coach.tick(now()));
      refresh();
    }, 1000);
    refresh();
  }

  function refresh() {
    if (!state.coach) return;
    var s = state.coach.state();
    text("live-time", clock(s.running_s));
    text("live-distance", (s.distance_m / 1000).toFixed(2));
    text("live-pace", s.moving && s.pace_s_per_km ? clock(Math.round(s.pace_s_per_km)) : "–");
    text("live-next", s.next ? s.next.name + " in " + Number(s.next.km_left).toFixed(1) + " km" : "");
    $("live-next-block").hidden = !s.next;
    var chase = s.chase;
    if (chase) {
      text("chase-now", (chase.title ? chase.title + ": " : "") + Math.round(chase.left_m) + " m to go, " +
        Math.round(chase.left_s) + " s left");
    }
  }

  // --- the file -------------------------------------------------------------------------------
  function iso(ms) { return new Date(ms).toISOString(); }
  function escapeXml(value) {
    return String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  // GPX 1.1: one track, a segment per stretch between Pause and Resume, positions to 1 cm.
  function gpxOf(fixes, plan) {
    var ordered = fixes.slice().sort(function (a, b) { return a.t_ms - b.t_ms; });
    var lines = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<gpx version="1.1" creator="heroicrun" xmlns="http://www.topografix.com/GPX/1/1">',
      "<metadata><time>" + iso(ordered[0].t_ms) + "</time></metadata>",
      "<trk>",
    ];
    if (plan && plan.id) lines.push("<name>" + escapeXml(plan.title) + "</name>");
    lines.push("<type>running</type>");
    var segment = null;
    ordered.forEach(function (fix) {
      if (fix.segment !== segment) {
        if (segment !== null) lines.push("</trkseg>");
        lines.push("<trkseg>");
        segment = fix.segment;
      }
      var ele = fix.ele === null || fix.ele === undefined ? "" : "<ele>" + fix.ele.toFixed(1) + "</ele>";
      lines.push('<trkpt lat="' + fix.lat.toFixed(7) + '" lon="' + fix.lon.toFixed(7) + '">' + ele +
        "<time>" + iso(fix.t_ms) + "</time></trkpt>");
    });
    lines.push("</trkseg>", "</trk>", "</gpx>", "");
    return lines.join("\n");
  }

  function outboxEntry(fixes, plan) {
    var first = Math.min.apply(null, fixes.map(function (fix) { return fix.t_ms; }));
    var stamp = iso(first).replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
    return {
      id: "run-" + first,
      file: "heroicrun-live-" + stamp + ".gpx",
      title: plan && plan.id ? plan.title : "Free run",
      runner: runner,
      gpx: gpxOf(fixes, plan),
      created_ms: Date.now(),
      sending_ms: null,
    };
  }

  function offerFile(entry) {
    if (state.gpxUrl) URL.revokeObjectURL(state.gpxUrl);
    state.gpxUrl = URL.createObjectURL(new Blob([entry.gpx], { type: "application/gpx+xml" }));
    var link = $("save-file");
    link.href = state.gpxUrl;
    link.download = entry.file;
    link.hidden = false;
  }

  // --- sending ----------------------------------------------------------------------------------
  var sending = false;
  function deliver() {
    if (sending) return;
    sending = true;
    text("upload-state", "Sending your run…");
    Outbox.send().then(function (results) {
      sending = false;
      if (results.some(function (result) { return result.outcome === "waiting"; })) later();
      results.forEach(function (result) {
        if (result.outcome === "sent") {
          store.forgetDelivered(result.id);
          if (state.phase !== "finished") {
            show("finished");
            text("finish-figures", "A run that waited on this phone");
          }
          showAnswer(result.answer);
        } else if (result.outcome === "refused") {
          text("upload-state", "The server refused the run: " + result.detail + ". Save the file below to keep it.");
        } else {
          text("upload-state", waitingWords(result.detail));
        }
      });
      return showOutbox();
    }, function (problem) {
      sending = false;
      text("upload-state", "The run is kept on this phone; sending failed (" + problem + ").");
    });
  }

  // Where the browser has Background Sync, the service worker sends what waits once the network
  // is back, even with this page closed; elsewhere the next open of this page, or going online.
  function later() {
    if (!navigator.serviceWorker || !navigator.serviceWorker.ready) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register(Outbox.SYNC_TAG);
      return null;
    }).catch(function () { /* no Background Sync: the page sends on its next open */ });
  }

  function waitingWords(detail) {
    if (detail === "signed out") return "Your run is kept on this phone: sign in again, then open this page to send it.";
    if (detail === "signed in as someone else") return "A run is kept on this phone for another runner: it goes up when they sign in here.";
    return "No signal: your run is kept on this phone and goes up when the network returns.";
  }

  function showAnswer(answer) {
    var box = $("answer");
    box.textContent = "";
    var runs = (answer && answer.runs) || [];
    if (!runs.length) {
      text("upload-state", "The server stored nothing: " + ((answer && answer.detail) || "no run in the file"));
      return;
    }
    var run = runs[0];
    text("upload-state", run.duplicate ? "Already uploaded: your run counts once." : "Uploaded.");
    var count = 0;
    (run.progress || []).forEach(function (credit) { count += (credit.unlocked || []).length; });
    var heading = document.createElement("h3");
    heading.textContent = count ? (count === 1 ? "1 chapter unlocked" : count + " chapters unlocked") : "No new chapter this time";
    box.appendChild(heading);
    // Mission by mission, as the upload page tells it: km counted, then the chapters.
    (run.progress || []).forEach(function (credit) {
      var unlocked = credit.unlocked || [];
      var line = document.createElement("p");
      line.className = "live-credit";
      var name = document.createElement("b");
      name.textContent = credit.title + (credit.team ? " with " + credit.team.club : "");
      line.appendChild(name);
      var words = "";
      if (!credit.counts) words = ": does not count (" + (credit.reason || "no reason given") + ")";
      else if (credit.counted_km !== null && credit.counted_km !== undefined) {
        words = ": +" + Number(credit.counted_km).toFixed(1) + " km" +
          (credit.next_place ? ", " + Number(credit.to_next_km).toFixed(1) + " km to " + credit.next_place : "");
      } else if (!unlocked.length) return;
      line.appendChild(document.createTextNode(words));
      box.appendChild(line);
      if (!unlocked.length) return;
      var list = document.createElement("ul");
      list.className = "live-chapters";
      unlocked.forEach(function (chapter) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = credit.team ? "/clubs/" + encodeURIComponent(credit.team.club_id) : "/missions/" + encodeURIComponent(credit.mission);
        link.textContent = chapter.title;
        li.appendChild(link);
        list.appendChild(li);
      });
      box.appendChild(list);
    });
    var link = document.createElement("a");
    link.className = "button big";
    link.href = "/runs/" + encodeURIComponent(run.id);
    link.textContent = "See the run";
    var p = document.createElement("p");
    p.appendChild(link);
    box.appendChild(p);
    box.hidden = false;
    box.focus();
  }

  // Runs waiting in the outbox, and answers the service worker got while the page was closed.
  function showOutbox() {
    return Promise.all([store.outbox(), store.delivered()]).then(function (found) {
      var waiting = found[0], done = found[1];
      var block = $("outbox");
      var pending = waiting.filter(function (entry) { return !entry.refused; });
      text("outbox-words", pending.length
        ? (pending.length === 1 ? "1 finished run is" : pending.length + " finished runs are") + " waiting on this phone to go up."
        : "");
      var refused = waiting.filter(function (entry) { return entry.refused; });
      var list = $("outbox-refused");
      list.textContent = "";
      refused.forEach(function (entry) {
        var li = document.createElement("li");
        li.textContent = entry.file + ": " + entry.refused + " ";
        var save = document.createElement("a");
        save.href = URL.createObjectURL(new Blob([entry.gpx], { type: "application/gpx+xml" }));
        save.download = entry.file;
        save.textContent = "Save the file";
        li.appendChild(save);
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "secondary";
        drop.textContent = "Discard";
        drop.addEventListener("click", function () { store.dropOutbox(entry.id).then(showOutbox); });
        li.appendChild(drop);
        list.appendChild(li);
      });
      $("send-now").hidden = !pending.length;
      block.hidden = !pending.length && !refused.length;
      var recording = state.phase === "starting" || state.phase === "running" || state.phase === "paused";
      if (done.length && !recording && state.phase !== "interrupted") {
        var last = done[done.length - 1];
        if (state.phase !== "finished") {
          show("finished");
          text("finish-figures", last.title + ", uploaded in the background");
        }
        showAnswer(last.answer);
        done.forEach(function (item) { store.forgetDelivered(item.id); });
      }
    });
  }

  $("send-now").addEventListener("click", deliver);
  window.addEventListener("online", function () { store.outbox().then(function (entries) { if (entries.length) deliver(); }); });
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "heroicrun-outbox") showOutbox();
    });
  }

  $("run-again").addEventListener("click", function () {
    $("answer").hidden = true;
    $("save-file").hidden = true;
    text("upload-state", "");
    text("finish-figures", "");
    show("idle");
  });

  // --- an interrupted run -----------------------------------------------------------------------
  function interrupted(meta, fixes) {
    show("interrupted");
    var first = fixes.length ? fixes[0].t_ms : meta.started_ms;
    var started = new Date(first);
    text("interrupted-words", (meta.plan ? meta.plan.title : "A run") + ", started at " +
      started.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) + " with " +
      fixes.length + " GPS fixes, was not finished.");
    $("interrupted-resume").onclick = function () { resume(meta, fixes); };
    $("interrupted-finish").onclick = function () { restoreCoach(meta, fixes); finish(); };
    $("interrupted-discard").onclick = function () {
      if (!$("interrupted-sure").hidden) {
        store.discard().then(function () { show("idle"); });
      } else {
        $("interrupted-sure").hidden = false;
        $("interrupted-discard").textContent = "Yes, discard it";
      }
    };
  }

  function restoreCoach(meta, fixes) {
    state.plan = meta.plan || plans[0];
    state.coach = newCoach(state.plan);
    state.segment = meta.segment || 0;
    state.startedMs = meta.started_ms;
    var last = fixes[fixes.length - 1];
    state.lastT = last ? last.t_ms : null;
    if (last && last.arrived_ms) state.offsetMs = last.t_ms - last.arrived_ms;
    state.begun = true;
    if (state.coach) {
      state.coach.restore(fixes.map(function (fix) {
        return { t_ms: fix.t_ms, lat: fix.lat, lon: fix.lon, accuracy_m: fix.accuracy_m, segment: fix.segment };
      }), meta.memo || { started_ms: meta.started_ms });
      // Resumed after a Pause, and no fix since: the coach's next fix starts a new stretch too.
      if (last && state.segment !== last.segment && !(meta.memo && meta.memo.paused)) {
        state.coach.pause(last.t_ms);
        state.coach.resume(last.t_ms);
      }
    }
    showPlan();
  }

  function resume(meta, fixes) {
    restoreCoach(meta, fixes);
    if (!state.coach) { text("gps-state", "The story's voice did not load: reload the page."); return; }
    watchGps();
    keepAwake();
    // The same segment goes on: a reload is no pause, so the file shows no gap.
    show(meta.phase === "paused" ? "paused" : "running");
    tick();
    refresh();
  }

  // --- on open ----------------------------------------------------------------------------------
  if (!navigator.geolocation || !self.isSecureContext) {
    text("gps-state", "No GPS here: phones give a page the GPS only over a secure address (https://).");
    root.setAttribute("data-gps", "none");
  } else {
    watchGps();
  }
  Promise.all([store.meta(), store.fixes()]).then(function (found) {
    var meta = found[0], fixes = found[1];
    if (meta && fixes.length) interrupted(meta, fixes);
    else show("idle");
    return showOutbox();
  }).then(function () {
    return store.outbox();
  }).then(function (entries) {
    if (entries.some(function (entry) { return !entry.refused; }) && navigator.onLine !== false) deliver();
  }).catch(function () {
    text("store-state", "This browser gives the page no storage (a private window?): a reload would lose the run.");
    show("idle");
  });

  // Offline once loaded: the page and its files go into the cache the service worker serves them
  // from when there is no network (the worker keeps them fresh when it controls the page).
  if (self.caches && navigator.serviceWorker && !navigator.serviceWorker.controller) {
    var files = [location.pathname];
    document.querySelectorAll("script[src], link[rel=stylesheet]").forEach(function (el) {
      files.push(el.getAttribute("src") || el.getAttribute("href"));
    });
    caches.open("heroicrun-run").then(function (cache) {
      return Promise.all(files.map(function (url) {
        return fetch(url, { credentials: "same-origin" }).then(function (answer) {
          if (answer.ok && !answer.redirected) return cache.put(url, answer);
          return null;
        });
      }));
    }).catch(function () { /* offline already: nothing to keep */ });
  }
})();
