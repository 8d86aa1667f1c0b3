// Postcards shared through the phone's share sheet: where the browser can share files (the Web
// Share API with navigator.canShare), each card's "Share" button appears and sends its PNG;
// elsewhere the download link beside it does the job. Works for cards added to the page later
// (the upload's answer, inserted by upload.js).
(function () {
  "use strict";
  if (window.heroicrunShare) return; // the partial that loads this may be on the page twice
  window.heroicrunShare = true;

  function canShareFiles() {
    if (!navigator.share || !navigator.canShare || !window.File) return false;
    try {
      return navigator.canShare({ files: [new File([""], "postcard.png", { type: "image/png" })] });
    } catch (ignored) {
      return false;
    }
  }
  var able = canShareFiles();

  function reveal() {
    if (!able) return;
    var buttons = document.querySelectorAll("button.share-postcard[hidden]");
    for (var i = 0; i < buttons.length; i++) buttons[i].hidden = false;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.share-postcard") : null;
    if (!button || button.disabled) return;
    button.disabled = true;
    fetch(button.getAttribute("data-png"), { credentials: "same-origin" })
      .then(function (answer) {
        if (!answer.ok) throw new Error("the postcard did not load (" + answer.status + ")");
        return answer.blob();
      })
      .then(function (blob) {
        var file = new File([blob], button.getAttribute("data-name"), { type: "image/png" });
        var data = { files: [file], title: "heroicrun", text: button.getAttribute("data-text") };
        if (!navigator.canShare(data)) data = { files: [file] };
        return navigator.share(data);
      })
      .catch(function () { /* cancelled, or not allowed: the download link is beside it */ })
      .then(function () { button.disabled = false; });
  });

  reveal();
  if (window.MutationObserver) {
    new MutationObserver(reveal).observe(document.body, { childList: true, subtree: true });
  }
})();
