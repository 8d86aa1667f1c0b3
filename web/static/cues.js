// The live coach: what the run page says as the phone records a run (the km, the places and
// chapters reached, scripted chases and surges). The finished file is judged by the Python goal
// engine, so every rule here is that engine's, ported line by line: ellipsoidal steps as
// heroicrun/geodesy.py, moving steps as heroicrun/measuring/moving.py, surges and chases as
// heroicrun/missions/goals/pacing.py. The cues are hints; coach.verdicts() is the rule itself.
//
// In a browser: window.HeroicrunCues (after geodesy.js); in Node: require("./cues.js"). No
// build step.
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) module.exports = factory(require("./geodesy.js"));
  else root.HeroicrunCues = factory(root.HeroicrunGeodesy);
})(typeof self !== "undefined" ? self : this, function (geodesy) {
  "use strict";

  var RULES = {
    max_accuracy_m: 50,
    moving_m_s: 0.894,
    surge_min_baseline_m_s: 1.5,
    surge_min_moving_share: 0.9,
  };

  // Ellipsoidal steps, as heroicrun/geodesy.py measures them (geodesy.js).
  var distanceM = geodesy.distanceM;

  // --- numpy's interp and searchsorted, as the engine calls them ----------------------------

  // The last index whose value is <= x (values non-decreasing), -1 if none.
  function lastAtOrBelow(values, count, x) {
    var low = 0;
    var high = count;
    while (low < high) {
      var mid = (low + high) >> 1;
      if (x >= values[mid]) low = mid + 1;
      else high = mid;
    }
    return low - 1;
  }

  // The first index whose value is >= x (searchsorted, side "left").
  function firstAtOrAbove(values, count, x) {
    var low = 0;
    var high = count;
    while (low < high) {
      var mid = (low + high) >> 1;
      if (values[mid] < x) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  // np.interp(x, xs, ys) over the first `count` values, with its clamping and its arithmetic.
  function interp(x, xs, ys, count) {
    if (x > xs[count - 1]) return ys[count - 1];
    if (x < xs[0]) return ys[0];
    var j = lastAtOrBelow(xs, count, x);
    if (j === count - 1 || xs[j] === x) return ys[j];
    var slope = (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j]);
    return slope * (x - xs[j]) + ys[j];
  }

  // --- the course: accepted fixes, their steps and clocks, kept as they arrive ---------------

  function Course() {
    this.count = 0;
    this.tMs = [];
    this.lat = [];
    this.lon = [];
    this.segment = [];
    this.time = []; // seconds since the first fix: the chase clock (pauses tick)
    this.clock = []; // the runner's clock: time across a pause does not tick (surges)
    this.distance = []; // metres; a step across a pause has none
    this.stepM = [];
    this.joined = [];
    this.ownMoving = [];
    this.moving = [];
    this.movingS = []; // moving seconds up to each point, on the runner's clock
    this.lastEnd = -1; // the last step that ended a stretch (a move or a pause)
  }

  Course.prototype.add = function (tMs, lat, lon, segment) {
    var n = this.count;
    this.tMs.push(tMs);
    this.lat.push(lat);
    this.lon.push(lon);
    this.segment.push(segment);
    if (n === 0) {
      this.time.push(0);
      this.clock.push(0);
      this.distance.push(0);
      this.movingS.push(0);
      this.count = 1;
      return;
    }
    var time = (tMs - this.tMs[0]) / 1000;
    var joined = segment === this.segment[n - 1];
    var stepM = joined ? distanceM(this.lat[n - 1], this.lon[n - 1], lat, lon) : 0;
    var stepS = time - this.time[n - 1];
    this.time.push(time);
    this.joined.push(joined);
    this.stepM.push(stepM);
    this.clock.push(this.clock[n - 1] + (joined ? stepS : 0));
    this.distance.push(this.distance[n - 1] + stepM);
    var own = joined && stepM > RULES.moving_m_s * stepS;
    this.ownMoving.push(own);
    this.moving.push(own);
    this.count = n + 1;
    var k = n - 1; // this step's index
    var from = k;
    if (stepM > 0 || !joined) {
      // Repeated positions and the move that ends them are one stretch (moving.moving_steps).
      var first = this.lastEnd + 1;
      var stretchS = this.time[k + 1] - this.time[first];
      var fast = joined && stepM > RULES.moving_m_s * stretchS;
      for (var j = first; j <= k; j++) this.moving[j] = this.ownMoving[j] || fast;
      this.lastEnd = k;
      from = first;
    }
    for (var i = from; i <= k; i++) {
      var runS = this.joined[i] ? this.time[i + 1] - this.time[i] : 0;
      this.movingS[i + 1] = this.movingS[i] + (this.moving[i] ? runS : 0);
    }
  };

  Course.prototype.at = function (xs, ys, x) {
    return interp(x, xs, ys, this.count);
  };

  // count_surges' test of one start: point i's runner's-clock time as t.
  function surgeAt(course, i, goal) {
    var start = course.clock[i];
    var baseline = goal.baseline_s;
    var hold = goal.hold_s;
    var clock = course.clock;
    var beforeM = course.at(clock, course.distance, start - baseline);
    var atM = course.at(clock, course.distance, start);
    var afterM = course.at(clock, course.distance, start + hold);
    var baselineSpeed = (atM - beforeM) / baseline;
    var holdSpeed = (afterM - atM) / hold;
    var movedS =
      course.at(clock, course.movingS, start) - course.at(clock, course.movingS, start - baseline);
    return (
      baselineSpeed >= RULES.surge_min_baseline_m_s &&
      movedS >= RULES.surge_min_moving_share * baseline &&
      holdSpeed >= (1 + goal.boost) * baselineSpeed
    );
  }

  // The surges taken greedily in time order (start times on the runner's clock), as
  // count_surges takes them, from the points so far.
  function surgeStarts(course, goal) {
    var found = [];
    if (course.count < 2) return found;
    var endClock = course.clock[course.count - 1];
    var nextFrom = -Infinity;
    for (var i = 0; i < course.count; i++) {
      var start = course.clock[i];
      if (start < goal.baseline_s || start + goal.hold_s > endClock) continue;
      if (start >= nextFrom && surgeAt(course, i, goal)) {
        found.push(start);
        nextFrom = start + goal.hold_s;
      }
    }
    return found;
  }

  // chase() of pacing.py: {met, taken_s} from the points so far (taken_s null: never covered).
  function chaseVerdict(course, chase) {
    var n = course.count;
    var startS = chase.at_s;
    if (n < 2 || course.time[n - 1] < startS) return { met: false, taken_s: null };
    var fromM = course.at(course.time, course.distance, startS);
    var targetM = fromM + chase.metres;
    if (!(targetM <= course.distance[n - 1])) return { met: false, taken_s: null };
    var index = Math.min(Math.max(firstAtOrAbove(course.distance, n, targetM), 1), n - 1);
    var before = course.distance[index - 1];
    var span = course.distance[index] - before;
    var fraction = span > 0 ? (targetM - before) / span : 0;
    fraction = Math.min(Math.max(fraction, 0), 1);
    var t0 = course.time[index - 1];
    var takenS = t0 + fraction * (course.time[index] - t0) - startS;
    return { met: takenS <= chase.within_s, taken_s: takenS };
  }

  // --- words ---------------------------------------------------------------------------------

  function clockText(seconds) {
    var total = Math.max(0, Math.round(seconds));
    var h = Math.floor(total / 3600);
    var m = Math.floor((total % 3600) / 60);
    var s = total % 60;
    var ss = (s < 10 ? "0" : "") + s;
    if (h) return h + ":" + (m < 10 ? "0" : "") + m + ":" + ss;
    return m + ":" + ss;
  }

  function kmText(km) {
    var shown = Math.round(km * 10) / 10;
    return shown.toFixed(1);
  }

  function metresText(metres) {
    var rounded = metres >= 100 ? Math.round(metres / 10) * 10 : Math.max(1, Math.round(metres));
    return rounded + " m";
  }

  function minuteText(seconds) {
    if (seconds % 60 === 0) return "At minute " + seconds / 60;
    return "At " + clockText(seconds);
  }

  // Vibration patterns (ms on, off, on...): a chase is felt before it is heard.
  var ALARM = [300, 120, 300, 120, 600];
  var GOOD = [120];
  var BAD = [500];

  function cue(kind, text, vibrate) {
    return { kind: kind, text: text, vibrate: vibrate || null };
  }

  // --- the coach -----------------------------------------------------------------------------

  // The runner has this long to answer a prompt. A surge the rule finds may start before the
  // prompt, though: it takes the earliest start whose hold is fast enough, and a strong answer
  // makes the hold from up to a minute earlier fast enough. Any surge found after the prompt
  // whose hold runs past it answers it.
  var SURGE_ANSWER_S = 60;
  var SURGE_EVERY_S = 300;
  // heroicrun/measuring/spikes.py: SPIKE_SPEED_M_S and MAX_GLITCH_POINTS.
  var GLITCH_SPEED_M_S = 12.5;
  var MAX_GLITCH_FIXES = 3;
  var BREATHER_S = 60; // between a scripted chase and a prompted surge
  // Whether the runner is moving now: the straight line over the last few seconds, so that a
  // stop is heard within seconds and a GPS fix wandering while they stand is not a run.
  var NOW_WINDOW_S = 4;
  var STALE_S = 10;
  var PACE_WINDOW_S = 30;
  var CHASE_PROGRESS_EVERY_S = 30;
  var CHASE_PROGRESS_LAST_S = 10;

  function createCoach(plan) {
    plan = plan || {};
    var places = (plan.places || []).slice().sort(function (a, b) {
      return a.km - b.km;
    });
    var chapters = (plan.chapters || []).slice().sort(function (a, b) {
      return a.km - b.km;
    });
    var chases = (plan.chases || []).map(function (chase) {
      return {
        at_s: chase.at_s,
        metres: chase.metres,
        within_s: chase.within_s,
        title: chase.title,
      };
    });
    var surges = plan.surges || null;

    var course;
    var said;
    var state;

    function reset() {
      course = new Course();
      said = {};
      state = {
        startedMs: null,
        nowMs: null,
        paused: false,
        segment: 0,
        newSegment: false,
        pauses: 0,
        finished: false,
        kmSaid: 0,
        placesReached: 0,
        chaptersRead: 0,
        chases: chases.map(function () {
          return { status: "waiting", marks: 0, endedS: null };
        }),
        prompts: [], // {at: runner's clock, status: "on" | "held" | "missing" | "missed", speed}
        surgeFrom: 0, // next start index to test for the live surge cues
        surgeNextFrom: -Infinity,
        glitches: 0, // fixes dropped in a row as too fast to be the runner
        quiet: false,
      };
    }
    reset();

    function say(out, key, made) {
      if (said[key]) return;
      said[key] = true;
      if (!state.quiet) out.push(made);
    }

    function lastIndex() {
      return course.count - 1;
    }

    function elapsedS() {
      if (!course.count || state.nowMs === null) return 0;
      return Math.max(0, (state.nowMs - course.tMs[0]) / 1000);
    }

    function runningS() {
      if (!course.count) return 0;
      var last = lastIndex();
      var extra = state.paused || state.newSegment ? 0 : (state.nowMs - course.tMs[last]) / 1000;
      return course.clock[last] + Math.max(0, extra);
    }

    function isMoving() {
      if (state.paused || course.count < 2) return false;
      var last = lastIndex();
      // No fix for a while (a tunnel, a phone in a pocket): nothing says they are moving.
      if (state.nowMs - course.tMs[last] > STALE_S * 1000) return false;
      var from = lastAtOrBelow(course.time, course.count, course.time[last] - NOW_WINDOW_S);
      if (from < 0) from = 0;
      for (var i = from; i < last; i++) if (!course.joined[i]) from = i + 1;
      var spanS = course.time[last] - course.time[from];
      if (spanS <= 0) return false;
      var moved = distanceM(course.lat[from], course.lon[from], course.lat[last], course.lon[last]);
      return moved > RULES.moving_m_s * spanS;
    }

    function paceSPerKm() {
      if (course.count < 2 || !isMoving()) return null;
      var last = lastIndex();
      var clockNow = course.clock[last];
      var spanS = Math.min(PACE_WINDOW_S, clockNow);
      if (spanS < 5) return null;
      var metres =
        course.distance[last] - course.at(course.clock, course.distance, clockNow - spanS);
      var speed = metres / spanS;
      return speed >= RULES.moving_m_s ? 1000 / speed : null;
    }

    function nextPlace() {
      var metres = course.count ? course.distance[lastIndex()] : 0;
      for (var i = 0; i < places.length; i++) {
        if (places[i].km * 1000 > metres) {
          return { name: places[i].name, km_left: (places[i].km * 1000 - metres) / 1000 };
        }
      }
      return null;
    }

    // The scripted chase or prompted surge now running, for the screen.
    function chaseShown() {
      var now = elapsedS();
      for (var c = 0; c < chases.length; c++) {
        var live = state.chases[c];
        if (live.status !== "on") continue;
        var chase = chases[c];
        return {
          title: chase.title,
          left_m: Math.max(0, chase.metres - coveredSince(chase.at_s)),
          left_s: Math.max(0, chase.at_s + chase.within_s - now),
        };
      }
      var prompt = state.prompts[state.prompts.length - 1];
      if (prompt && prompt.status === "on" && course.count) {
        var clockNow = runningS();
        var sinceM =
          course.distance[lastIndex()] - course.at(course.clock, course.distance, prompt.at);
        var wanted = (1 + surges.boost) * prompt.speed * surges.hold_s;
        return {
          title: surges.title,
          left_m: Math.max(0, wanted - sinceM),
          left_s: Math.max(0, prompt.at + surges.hold_s - clockNow),
        };
      }
      return null;
    }

    function coveredSince(atS) {
      if (!course.count) return 0;
      var last = lastIndex();
      var fromM = course.at(course.time, course.distance, Math.min(atS, course.time[last]));
      return course.distance[last] - fromM;
    }

    function distanceCues(out) {
      var metres = course.distance[lastIndex()];
      while ((state.kmSaid + 1) * 1000 <= metres) {
        state.kmSaid += 1;
        var next = nextPlace();
        var text = next
          ? state.kmSaid + " km. " + next.name + " in " + kmText(next.km_left) + " km."
          : state.kmSaid + " km, " + clockText(runningS());
        say(out, "km:" + state.kmSaid, cue("km", text, null));
      }
      while (
        state.placesReached < places.length &&
        places[state.placesReached].km * 1000 <= metres
      ) {
        var place = places[state.placesReached];
        say(out, "place:" + state.placesReached, cue("place", place.name + ".", GOOD));
        state.placesReached += 1;
      }
      while (
        state.chaptersRead < chapters.length &&
        chapters[state.chaptersRead].km * 1000 <= metres
      ) {
        var chapter = chapters[state.chaptersRead];
        var words = chapter.title ? chapter.title + ".\n\n" + chapter.text : chapter.text;
        say(out, "chapter:" + state.chaptersRead, cue("chapter", words, null));
        state.chaptersRead += 1;
      }
    }

    function chaseCues(out, moving, fixed) {
      var now = elapsedS();
      for (var c = 0; c < chases.length; c++) {
        var chase = chases[c];
        var live = state.chases[c];
        if (live.status === "waiting" && course.count && now >= chase.at_s) {
          live.status = "on";
          var words = minuteText(chase.at_s) + ": they are coming. " + Math.round(chase.metres) +
            " m in " + clockText(chase.within_s) + "!";
          say(out, "chase-start:" + c, cue("chase-start", words, ALARM));
        }
        if (live.status !== "on" || !fixed) continue;
        var last = lastIndex();
        var endS = chase.at_s + chase.within_s;
        var verdict = course.time[last] >= chase.at_s ? chaseVerdict(course, chase) : null;
        if (verdict && verdict.taken_s !== null) {
          live.status = verdict.met ? "won" : "losing";
          live.endedS = now;
        } else if (course.time[last] >= endS) {
          live.status = "losing";
          live.endedS = now;
        }
        if (live.status === "won") {
          say(out, "chase-end:" + c, cue("chase-won", "You got away.", GOOD));
          continue;
        }
        if (live.status === "on") {
          var mark = Math.floor((course.time[last] - chase.at_s) / CHASE_PROGRESS_EVERY_S);
          var leftS = endS - course.time[last];
          if (mark > live.marks && leftS >= CHASE_PROGRESS_LAST_S) {
            live.marks = mark;
            if (moving) {
              var leftM = Math.max(0, chase.metres - coveredSince(chase.at_s));
              var text = metresText(leftM) + " to go, " + Math.round(leftS) + " s left.";
              say(out, "chase-progress:" + c + ":" + mark, cue("chase-progress", text, null));
            }
          }
        }
      }
      // A runner waiting at a red light is not caught: the news waits until they move.
      if (!moving) return;
      for (var d = 0; d < chases.length; d++) {
        if (state.chases[d].status !== "losing") continue;
        state.chases[d].status = "lost";
        say(out, "chase-end:" + d, cue("chase-lost", "They caught you. Run on.", BAD));
      }
    }

    // The surges the rule finds as the points arrive: a start is tested once its hold has passed.
    function findSurges() {
      var found = [];
      if (!surges || course.count < 2) return found;
      var endClock = course.clock[lastIndex()];
      while (state.surgeFrom < course.count) {
        var i = state.surgeFrom;
        var start = course.clock[i];
        if (start + surges.hold_s > endClock) break;
        state.surgeFrom += 1;
        if (start < surges.baseline_s || start < state.surgeNextFrom) continue;
        if (surgeAt(course, i, surges)) {
          state.surgeNextFrom = start + surges.hold_s;
          found.push(start);
        }
      }
      return found;
    }

    // The speed the runner holds now, if it would do as a surge's baseline (null if not).
    function baselineNow() {
      var last = lastIndex();
      var clockNow = course.clock[last];
      if (clockNow < surges.baseline_s) return null;
      var fromClock = clockNow - surges.baseline_s;
      var speed = (course.distance[last] - course.at(course.clock, course.distance, fromClock)) /
        surges.baseline_s;
      var movedS = course.movingS[last] - course.at(course.clock, course.movingS, fromClock);
      if (speed < RULES.surge_min_baseline_m_s) return null;
      if (movedS < RULES.surge_min_moving_share * surges.baseline_s) return null;
      return speed;
    }

    // A prompted surge keeps clear of the scripted chases: none running or just over, and none
    // due before the surge would be done.
    function clearOfChases(holdS) {
      var now = elapsedS();
      for (var c = 0; c < chases.length; c++) {
        var live = state.chases[c];
        if (live.status === "on" || live.status === "losing") return false;
        var dueS = chases[c].at_s - now;
        if (live.status === "waiting" && dueS < SURGE_ANSWER_S + holdS + BREATHER_S) return false;
        if (live.endedS !== null && now - live.endedS < BREATHER_S) return false;
      }
      return true;
    }

    function surgeCues(out, moving) {
      if (!surges || course.count < 2) return;
      var found = findSurges();
      var prompt = state.prompts[state.prompts.length - 1];
      var clockNow = course.clock[lastIndex()];
      var index = state.prompts.length;
      if (prompt && prompt.status === "on") {
        for (var f = 0; f < found.length; f++) {
          var answered = found[f] + surges.hold_s > prompt.at;
          if (answered && found[f] <= prompt.at + SURGE_ANSWER_S) {
            prompt.status = "held";
            say(out, "surge-end:" + (index - 1), cue("surge-held", "You got away.", GOOD));
            break;
          }
        }
        if (prompt.status === "on" && clockNow >= prompt.at + SURGE_ANSWER_S + surges.hold_s) {
          prompt.status = "missing";
        }
      }
      if (prompt && prompt.status === "missing" && moving) {
        prompt.status = "missed";
        var missed = "They caught up. Shake them off next time.";
        say(out, "surge-end:" + (index - 1), cue("surge-missed", missed, BAD));
      }
      if (index >= surges.count) return;
      if (prompt && prompt.status !== "held" && prompt.status !== "missed") return;
      var every = Math.max(SURGE_EVERY_S, surges.baseline_s + SURGE_ANSWER_S + surges.hold_s + 60);
      var due = prompt ? prompt.at + every : every;
      if (clockNow < due || !moving) return;
      if (!clearOfChases(surges.hold_s)) return;
      var speed = baselineNow();
      if (speed === null) return;
      state.prompts.push({ at: clockNow, status: "on", speed: speed });
      var words =
        (surges.title ? surges.title + ": " : "") +
        "they are closing in. Speed up and hold it for " +
        clockText(surges.hold_s) +
        "!";
      say(out, "surge-prompt:" + index, cue("surge-prompt", words, ALARM));
    }

    function update(out, fixed) {
      var moving = isMoving();
      if (fixed) distanceCues(out);
      chaseCues(out, moving, fixed);
      if (fixed) surgeCues(out, moving);
    }

    function clockTo(tMs) {
      if (typeof tMs === "number" && isFinite(tMs) && (state.nowMs === null || tMs > state.nowMs)) {
        state.nowMs = tMs;
      }
    }

    function isNumber(value) {
      return typeof value === "number" && isFinite(value);
    }

    // `stored`: a fix accepted before a reload, taken as it was.
    function accept(point, stored) {
      var out = [];
      if (state.finished || state.paused) return out;
      var tMs = point.t_ms;
      var lat = point.lat;
      var lon = point.lon;
      if (!isNumber(tMs) || !isNumber(lat) || !isNumber(lon)) return out;
      if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return out;
      var accuracy = point.accuracy_m;
      if (isNumber(accuracy) && accuracy > RULES.max_accuracy_m) return out;
      var last = lastIndex();
      if (course.count && tMs <= course.tMs[last]) return out;
      var joined = !(state.newSegment && course.count);
      if (!stored && joined && course.count && state.glitches < MAX_GLITCH_FIXES) {
        // A fix reached faster than any runner goes is a glitch the engine would drop (when
        // the track comes back, as it does): dropped here too, the two courses stay one. Only
        // a few in a row, as the engine's glitches are: past them the runner did get there.
        var stepS = (tMs - course.tMs[last]) / 1000;
        var stepM = distanceM(course.lat[last], course.lon[last], lat, lon);
        if (stepM > GLITCH_SPEED_M_S * stepS) {
          state.glitches += 1;
          return out;
        }
      }
      state.glitches = 0;
      if (!joined) state.segment += 1;
      state.newSegment = false;
      course.add(tMs, lat, lon, state.segment);
      clockTo(tMs);
      update(out, true);
      return out;
    }

    var coach = {
      start: function (tMs) {
        var out = [];
        if (state.startedMs === null) state.startedMs = tMs;
        clockTo(tMs);
        if (plan.briefing) say(out, "briefing", cue("briefing", plan.briefing, null));
        return out;
      },
      fix: function (point) {
        return accept(point || {});
      },
      tick: function (tMs) {
        var out = [];
        if (state.finished) return out;
        clockTo(tMs);
        update(out, false);
        return out;
      },
      pause: function (tMs) {
        var out = [];
        if (state.finished || state.paused) return out;
        clockTo(tMs);
        state.paused = true;
        state.pauses += 1;
        say(out, "paused:" + state.pauses, cue("paused", "Paused.", null));
        return out;
      },
      resume: function (tMs) {
        var out = [];
        if (state.finished || !state.paused) return out;
        clockTo(tMs);
        state.paused = false;
        state.newSegment = true;
        say(out, "resumed:" + state.pauses, cue("resumed", "Running again.", null));
        return out;
      },
      finish: function (tMs) {
        var out = [];
        if (state.finished) return out;
        clockTo(tMs);
        // Whatever was still open is settled now by the rule, stopped or not.
        for (var c = 0; c < chases.length; c++) {
          var live = state.chases[c];
          if (live.status !== "on" && live.status !== "losing") continue;
          var verdict = chaseVerdict(course, chases[c]);
          live.status = verdict.met ? "won" : "lost";
          say(out, "chase-end:" + c, verdict.met
            ? cue("chase-won", "You got away.", GOOD)
            : cue("chase-lost", "They caught you.", BAD));
        }
        var prompt = state.prompts[state.prompts.length - 1];
        if (prompt && (prompt.status === "on" || prompt.status === "missing")) {
          prompt.status = "missed";
          var key = "surge-end:" + (state.prompts.length - 1);
          say(out, key, cue("surge-missed", "They caught up.", BAD));
        }
        state.finished = true;
        return out;
      },
      state: function () {
        var last = course.count ? lastIndex() : -1;
        return {
          elapsed_s: elapsedS(),
          running_s: runningS(),
          distance_m: last < 0 ? 0 : course.distance[last],
          pace_s_per_km: paceSPerKm(),
          moving: isMoving(),
          next: nextPlace(),
          chase: chaseShown(),
        };
      },
      verdicts: function () {
        return {
          surges: surges ? surgeStarts(course, surges).length : 0,
          chases: chases.map(function (chase) {
            var verdict = chaseVerdict(course, chase);
            return { at_s: chase.at_s, met: verdict.met, taken_s: verdict.taken_s };
          }),
        };
      },
      points: function () {
        var out = [];
        for (var i = 0; i < course.count; i++) {
          out.push({
            t_ms: course.tMs[i],
            lat: course.lat[i],
            lon: course.lon[i],
            segment: course.segment[i],
          });
        }
        return out;
      },
      // What restore needs besides the points: the cues already given and whether the runner
      // had pressed Pause. JSON, for the page to keep next to the fixes.
      memo: function () {
        return {
          started_ms: state.startedMs,
          now_ms: state.nowMs,
          paused: state.paused,
          new_segment: state.newSegment,
          pauses: state.pauses,
          finished: state.finished,
          said: Object.keys(said),
        };
      },
      // Rebuild after a page reload: the stored fixes go through again in silence, so every cue
      // they had earned counts as given; `memo` (from coach.memo()) adds those given otherwise.
      restore: function (points, memo) {
        reset();
        state.quiet = true;
        memo = memo || {};
        if (memo.started_ms != null) state.startedMs = memo.started_ms;
        if (plan.briefing && (memo.started_ms != null || (points && points.length))) {
          said.briefing = true;
        }
        var segment = null;
        (points || []).forEach(function (point) {
          if (segment !== null && point.segment !== segment) {
            state.newSegment = true;
            state.pauses += 1;
          }
          segment = point.segment;
          accept({ t_ms: point.t_ms, lat: point.lat, lon: point.lon }, true);
        });
        (memo.said || []).forEach(function (key) {
          said[key] = true;
        });
        clockTo(memo.now_ms);
        if (memo.paused) state.paused = true;
        if (memo.new_segment || memo.paused) state.newSegment = true;
        if (typeof memo.pauses === "number") state.pauses = memo.pauses;
        if (memo.finished) state.finished = true;
        state.quiet = false;
      },
    };
    return coach;
  }

  return { RULES: RULES, distanceM: distanceM, createCoach: createCoach };
});
