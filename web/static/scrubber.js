// The run page's scrubber: pointing at, touching or arrowing along a chart draws a line across
// every chart at that place, says the values there, and moves a dot to it on the map.
// The numbers come from the page (a JSON script element the server wrote, drawn from the run's
// profile), already projected to the map's units: no request, no maths beyond a lookup.
(function () {
  "use strict";
  var source = document.getElementById("scrub-data");
  var group = document.querySelector(".run-charts");
  if (!source || !group) return;
  var data;
  try { data = JSON.parse(source.textContent); } catch (error) { return; }
  var along = data.axis === "time" && data.t ? data.t : data.km;
  var count = along.length;
  if (!count) return;
  var charts = group.querySelectorAll("svg.chart");
  var lines = group.querySelectorAll(".scrub-line");
  var dot = document.getElementById("scrub-dot");
  var readout = document.getElementById("scrub-readout");
  var current = -1;

  function clock(seconds) {
    var whole = Math.round(seconds);
    var hours = Math.floor(whole / 3600), minutes = Math.floor(whole / 60) % 60, secs = whole % 60;
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return hours ? hours + ":" + two(minutes) + ":" + two(secs) : minutes + ":" + two(secs);
  }

  function nearest(value) {
    // The samples run in order along the axis: a binary search, then the closer neighbour.
    var low = 0, high = count - 1;
    while (high - low > 1) {
      var middle = (low + high) >> 1;
      if (along[middle] === null || along[middle] < value) low = middle; else high = middle;
    }
    return Math.abs(along[high] - value) < Math.abs(value - along[low]) ? high : low;
  }

  function xOf(index) {
    var span = data.high - data.low || 1;
    return data.left + (along[index] - data.low) / span * (data.right - data.left);
  }

  function words(index) {
    var said = ["km " + data.km[index].toFixed(2)];
    if (data.pace[index] !== null) said.push(clock(data.pace[index]) + " /km");
    if (data.ele[index] !== null) said.push(data.ele[index] + " m");
    if (data.hr[index] !== null) said.push(data.hr[index] + " bpm");
    if (data.t && data.t[index] !== null) said.push(clock(data.t[index]));
    return said.join(" · ");
  }

  function show(index) {
    index = Math.max(0, Math.min(count - 1, index));
    current = index;
    var x = xOf(index).toFixed(1);
    for (var i = 0; i < lines.length; i++) {
      lines[i].setAttribute("x1", x);
      lines[i].setAttribute("x2", x);
    }
    if (dot && data.mx && data.mx[index] !== null) {
      dot.setAttribute("cx", data.mx[index]);
      dot.setAttribute("cy", data.my[index]);
    }
    if (readout) {
      readout.textContent = words(index);
      readout.hidden = false;
    }
    document.body.classList.add("scrubbing");
  }

  function fromPointer(event) {
    var box = event.currentTarget.getBoundingClientRect();
    if (!box.width) return;
    var unit = (event.clientX - box.left) / box.width * data.width;
    var value = data.low + (unit - data.left) / (data.right - data.left) * (data.high - data.low);
    show(nearest(value));
  }

  // Said at once, so that the page does not move under the finger at the first touch.
  if (readout) {
    readout.textContent = "Touch or point at a chart to read it.";
    readout.hidden = false;
  }
  for (var i = 0; i < charts.length; i++) {
    charts[i].addEventListener("pointerdown", fromPointer);
    charts[i].addEventListener("pointermove", function (event) {
      // A mouse scrubs as it hovers; a finger or pen while it touches.
      if (event.pointerType === "mouse" || event.buttons || event.pressure > 0) fromPointer(event);
    });
  }
  group.addEventListener("keydown", function (event) {
    var step = Math.max(1, Math.round(count / 100)) * (event.shiftKey ? 10 : 1);
    var start = current < 0 ? 0 : current;
    var to = {
      ArrowRight: start + step, ArrowUp: start + step,
      ArrowLeft: start - step, ArrowDown: start - step,
      Home: 0, End: count - 1,
    }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    show(current < 0 && event.key !== "End" ? 0 : to);
  });
})();
