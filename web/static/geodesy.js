// Distances on the WGS84 ellipsoid for the run page's coach (cues.js): heroicrun/geodesy.py's
// own method, one pair of points at a time, so that the coach's steps and the engine's agree to
// a millionth and a chase met by one second is met on both sides.
//
// In a browser: window.HeroicrunGeodesy; in Node: require("./geodesy.js"). No build step.
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.HeroicrunGeodesy = factory();
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var A_M = 6378137.0;
  var F = 1 / 298.257223563;
  var B_M = A_M * (1 - F);
  var EP2 = (F * (2 - F)) / ((1 - F) * (1 - F));
  var N = F / (2 - F);
  var MAX_ITERATIONS = 20;
  var TOLERANCE_RAD = 1e-15;
  var RELATIVE_TOLERANCE = 4 * 2.220446049250313e-16;
  var SMALL_STEP_RAD = 1e-3;
  var TINY = 1e-300;
  var RAD = Math.PI / 180;
  var A3 = [
    1.0,
    -(1 / 2 - N / 2),
    -(1 / 4 + N / 8 - (3 * N * N) / 8),
    -(1 / 16 + (3 * N) / 16 + (N * N) / 16),
    -(3 / 64 + N / 32),
    -3 / 128,
  ];
  var C3 = [
    [
      1 / 4 - N / 4,
      1 / 8 - (N * N) / 8,
      3 / 64 + (3 * N) / 64 - (N * N) / 64,
      5 / 128 + N / 64,
      3 / 128,
    ],
    [
      1 / 16 - (3 * N) / 32 + (N * N) / 32,
      3 / 64 - N / 32 - (3 * N * N) / 64,
      3 / 128 + N / 128,
      5 / 256,
    ],
    [5 / 192 - (3 * N) / 64 + (5 * N * N) / 192, 3 / 128 - (5 * N) / 192, 7 / 512],
    [7 / 512 - (7 * N) / 256, 7 / 512],
    [21 / 2560],
  ];
  var C1 = [
    [-1 / 2, 3 / 16, -1 / 32],
    [-1 / 16, 1 / 32, -9 / 2048],
    [-1 / 48, 3 / 256],
    [-5 / 512, 3 / 512],
    [-7 / 1280],
    [-7 / 2048],
  ];

  function horner(coefficients, x) {
    var last = coefficients.length - 1;
    if (last === 0) return coefficients[0];
    var total = coefficients[last] * x + coefficients[last - 1];
    for (var j = last - 2; j >= 0; j--) {
      total *= x;
      total += coefficients[j];
    }
    return total;
  }

  function series(table, line, x) {
    var cosPrev = 1.0;
    var cosNow = line.cos2SigmaM;
    var sinPrev = 0.0;
    var sinNow = line.sinSigma;
    var epsPower = line.eps;
    var total = 0;
    for (var l = 0; l < table.length; l++) {
      total += epsPower * horner(table[l], x) * cosNow * sinNow;
      var cosNext = 2 * line.cos2SigmaM * cosNow - cosPrev;
      cosPrev = cosNow;
      cosNow = cosNext;
      var sinNext = 2 * line.cosSigma * sinNow - sinPrev;
      sinPrev = sinNow;
      sinNow = sinNext;
      epsPower = epsPower * line.eps;
    }
    return 2 * total;
  }

  function reduced(latDeg) {
    var phi = latDeg * RAD;
    var sinBeta = (1 - F) * Math.sin(phi);
    var cosBeta = Math.cos(phi);
    var norm = Math.sqrt(sinBeta * sinBeta + cosBeta * cosBeta);
    return [sinBeta / norm, cosBeta / norm];
  }

  function turned(half, omega, step) {
    if (Math.abs(step) > SMALL_STEP_RAD) return [Math.sin(omega * 0.5), Math.cos(omega * 0.5)];
    var h2 = step * step * 0.25;
    var sinH = step * 0.5 * (1 - (h2 / 6) * (1 - h2 / 20));
    var cosH = 1 - (h2 / 2) * (1 - (h2 / 12) * (1 - h2 / 30));
    return [half[0] * cosH + half[1] * sinH, half[1] * cosH - half[0] * sinH];
  }

  function sphere(fixed, half) {
    var sinOmega = 2 * half[0] * half[1];
    var versine = 2 * half[0] * half[0];
    var east = fixed.cosB2 * sinOmega;
    var north = fixed.sinDiff + fixed.sinCos * versine;
    var sinSigma = Math.sqrt(east * east + north * north);
    var cosSigma = fixed.sinSin + fixed.cosCos * (1 - versine);
    var sinAlpha0 = Math.min(Math.max((fixed.cosCos * sinOmega) / Math.max(sinSigma, TINY), -1), 1);
    var cos2Alpha0 = (1 - sinAlpha0) * (1 + sinAlpha0);
    var cos2SigmaM = cosSigma - (2 * fixed.sinSin) / Math.max(cos2Alpha0, TINY);
    cos2SigmaM = Math.min(Math.max(cos2SigmaM, -1), 1);
    var k2 = EP2 * cos2Alpha0;
    return {
      sigma: Math.atan2(sinSigma, cosSigma),
      sinSigma: sinSigma,
      cosSigma: cosSigma,
      cos2SigmaM: cos2SigmaM,
      sinAlpha0: sinAlpha0,
      eps: k2 / (2 * (1 + Math.sqrt(1 + k2)) + k2),
    };
  }

  function lengthM(line) {
    var eps2 = line.eps * line.eps;
    var a1 = (1 + eps2 * (1 / 4 + eps2 * (1 / 64 + eps2 / 256))) / (1 - line.eps);
    return B_M * a1 * (line.sigma + series(C1, line, eps2));
  }

  // Nearly antipodal pairs, where the iteration does not settle, never occur between two fixes
  // of a run; a sphere is close enough for them.
  function sphereM(lat1, lon1, lat2, lon2) {
    var p1 = lat1 * RAD;
    var p2 = lat2 * RAD;
    var h = Math.pow(Math.sin((p2 - p1) / 2), 2) +
      Math.cos(p1) * Math.cos(p2) * Math.pow(Math.sin(((lon2 - lon1) * RAD) / 2), 2);
    return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  function distanceM(lat1, lon1, lat2, lon2) {
    var b1 = reduced(lat1);
    var b2 = reduced(lat2);
    var lonDiffDeg = Math.abs(lon2 - lon1);
    if (lonDiffDeg > 360) lonDiffDeg = lonDiffDeg % 360;
    if (lonDiffDeg > 180) lonDiffDeg = 360 - lonDiffDeg;
    var lonDiff = lonDiffDeg * RAD;
    var fixed = {
      sinSin: b1[0] * b2[0],
      cosCos: b1[1] * b2[1],
      sinCos: b1[0] * b2[1],
      sinDiff: b2[0] * b1[1] - b2[1] * b1[0],
      cosB2: b2[1],
    };
    var omega = lonDiff;
    var half = turned([0, 1], omega, omega);
    for (var round = 0; round < MAX_ITERATIONS; round++) {
      var line = sphere(fixed, half);
      var correction = F * line.sinAlpha0 * horner(A3, line.eps);
      correction *= line.sigma + series(C3, line, line.eps);
      var target = lonDiff + correction;
      var settled = Math.abs(target - omega) <= TOLERANCE_RAD + RELATIVE_TOLERANCE * omega;
      settled = settled && (line.sinSigma > 0 || line.cosSigma > 0);
      if (settled) return lengthM(line);
      var slope = correction / Math.max(omega, TINY);
      var step = (target - omega) / (1 - slope);
      omega = omega + step;
      if (!(omega <= Math.PI)) break;
      half = turned(half, omega, step);
    }
    return sphereM(lat1, lon1, lat2, lon2);
  }

  return { distanceM: distanceM };
});
