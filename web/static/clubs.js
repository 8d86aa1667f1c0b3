// A club's invite link, passed on: "Share the link" opens the phone's share sheet where the
// browser has one (the Web Share API), else "Copy the link" puts it on the clipboard. Without
// script (or either API) the link stays in its box, ready to select and copy by hand.
(function () {
  "use strict";
  var share = document.querySelector("button.share-invite");
  var copy = document.querySelector("button.copy-invite");
  var said = document.querySelector(".invite-actions .copied");
  if (!share || !copy) return;

  function say(words) {
    if (said) said.textContent = words;
  }

  if (navigator.share) share.hidden = false;
  else copy.hidden = false;

  share.addEventListener("click", function () {
    navigator
      .share({ title: share.getAttribute("data-title"), url: share.getAttribute("data-link") })
      .catch(function () { /* cancelled: nothing to say */ });
  });

  copy.addEventListener("click", function () {
    var box = document.getElementById(copy.getAttribute("data-copy"));
    var copied = function () { say("Copied."); };
    // The clipboard API needs a secure page (HTTPS, or this computer); on the home network's
    // plain HTTP, selecting the text and the older copy command still work.
    var byHand = function () {
      box.focus();
      box.select();
      try {
        if (document.execCommand("copy")) return copied();
      } catch (ignored) { /* left selected: the runner copies it */ }
      say("Selected: copy it with your keyboard or a long press.");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(box.value).then(copied, byHand);
    } else {
      byHand();
    }
  });
})();
