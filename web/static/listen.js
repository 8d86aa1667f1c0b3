// Listen: reads a part of the story aloud with the browser's own speech synthesis, which works
// offline and downloads nothing. The buttons stay hidden where the browser cannot speak.
(function () {
  "use strict";
  var speech = window.speechSynthesis;
  if (!speech || typeof window.SpeechSynthesisUtterance !== "function") return;
  var buttons = document.querySelectorAll("button.listen[data-listen]");
  var speaking = null; // the button of the part being read
  var current = null; // its utterance: a cancelled one's late "end" must not touch the next

  function stopped() {
    if (speaking) {
      speaking.textContent = "Listen";
      speaking.setAttribute("aria-pressed", "false");
    }
    speaking = null;
    current = null;
  }

  function textOf(button) {
    var part = document.getElementById(button.getAttribute("data-listen"));
    var title = document.getElementById(button.getAttribute("aria-describedby"));
    var said = title ? [title.textContent.trim()] : [];
    part.querySelectorAll("p").forEach(function (paragraph) {
      said.push(paragraph.textContent.trim());
    });
    return said.join("\n\n");
  }

  buttons.forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var again = speaking === button;
      speech.cancel();
      stopped();
      if (again) return; // the button said Stop
      var utterance = new window.SpeechSynthesisUtterance(textOf(button));
      utterance.lang = document.documentElement.lang || "en";
      utterance.onend = utterance.onerror = function () {
        if (current === utterance) stopped();
      };
      speaking = button;
      current = utterance;
      button.textContent = "Stop";
      button.setAttribute("aria-pressed", "true");
      speech.speak(utterance);
    });
  });
  // A voice reading on after the page is left would be reading to no one.
  window.addEventListener("pagehide", function () {
    speech.cancel();
  });
})();
