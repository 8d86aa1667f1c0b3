// The upload page, enhanced: files go up as soon as they are chosen (or dropped), with a
// progress bar, and the server's rendered result appears in the page. Without this script the
// form posts to /upload and the result comes back as a page of its own.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var input = document.getElementById("files");
  var drop = document.getElementById("drop");
  var chosen = document.getElementById("chosen");
  var button = document.getElementById("upload-button");
  var bar = document.getElementById("upload-progress");
  var fill = bar.querySelector("span");
  var status = document.getElementById("upload-status");
  var result = document.getElementById("upload-result");
  var maxBytes = Number(form.getAttribute("data-max-bytes")) || 0;
  var busy = false;

  function megabytes(bytes) {
    if (bytes < 1048576) return Math.max(1, Math.round(bytes / 1024)) + " KB";
    return (bytes / 1048576).toFixed(bytes < 10485760 ? 1 : 0) + " MB";
  }

  function progress(percent) {
    fill.style.width = percent + "%";
    bar.setAttribute("aria-valuenow", String(Math.round(percent)));
  }

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? "error" : "";
  }

  function finish() {
    busy = false;
    button.disabled = false;
    input.value = ""; // choosing the same file again must start a new upload
  }

  function show(html) {
    result.innerHTML = html; // rendered and escaped by the server
    result.focus();
    result.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  function send(files) {
    if (busy || !files || !files.length) return;
    var total = 0;
    var names = [];
    for (var i = 0; i < files.length; i++) {
      total += files[i].size;
      names.push(files[i].name);
    }
    chosen.textContent = names.join(", ") + " (" + megabytes(total) + ")";
    if (maxBytes && total > maxBytes) {
      say("These files come to " + megabytes(total) + ", more than the " +
          megabytes(maxBytes) + " this server takes at once: upload fewer at a time.", true);
      return;
    }
    var data = new FormData();
    data.append("csrf", form.elements.csrf.value);
    for (var j = 0; j < files.length; j++) data.append("files", files[j], files[j].name);

    busy = true;
    button.disabled = true;
    result.innerHTML = "";
    bar.hidden = false;
    progress(0);
    say("Sending " + (files.length === 1 ? "1 file" : files.length + " files") + "…");

    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/upload?fragment=1");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) progress((100 * event.loaded) / event.total);
    });
    xhr.upload.addEventListener("load", function () {
      progress(100);
      say("Sent. Measuring your run…");
    });
    xhr.addEventListener("load", function () {
      finish();
      bar.hidden = true;
      var type = xhr.getResponseHeader("Content-Type") || "";
      if (type.indexOf("text/html") === 0) {
        show(xhr.responseText);
        // The status says what the answer's first line says: "3 runs stored · 1 refused".
        var heading = document.getElementById("result-title");
        var told = heading ? heading.textContent.replace(/\s+/g, " ").trim() : "";
        if (xhr.status === 401) say("You are signed out.", true);
        else if (xhr.status < 300) say(told || "Stored.");
        else say((told || "Nothing stored") + ": see why below.", true);
        return;
      }
      var detail = "the server answered " + xhr.status;
      try {
        detail = JSON.parse(xhr.responseText).detail || detail;
      } catch (ignored) { /* not JSON: keep the status */ }
      say("The upload was refused: " + detail + ".", true);
    });
    xhr.addEventListener("error", function () {
      finish();
      bar.hidden = true;
      say("The upload did not reach the server: check the connection and try again.", true);
    });
    xhr.send(data);
  }

  input.addEventListener("change", function () { send(input.files); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (input.files && input.files.length) send(input.files);
    else input.click();
  });

  // Files dropped anywhere on the page go up; the drop zone lights up while they hover.
  var depth = 0;
  document.addEventListener("dragenter", function (event) {
    event.preventDefault();
    depth++;
    drop.classList.add("over");
  });
  document.addEventListener("dragleave", function () {
    depth = Math.max(0, depth - 1);
    if (!depth) drop.classList.remove("over");
  });
  document.addEventListener("dragover", function (event) { event.preventDefault(); });
  document.addEventListener("drop", function (event) {
    event.preventDefault();
    depth = 0;
    drop.classList.remove("over");
    if (event.dataTransfer) send(event.dataTransfer.files);
  });
})();
