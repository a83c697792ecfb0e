/* Video embed stand-in: tell the demo page it loaded, and pretend to play. */
(function () {
  "use strict";
  if (window.parent !== window) {
    window.parent.postMessage({ consentryDemo: "marketing:video" }, "*");
  }
  var button = document.getElementById("play");
  var progress = document.getElementById("progress");
  button.addEventListener("click", function () {
    var playing = progress.classList.toggle("running");
    button.querySelector("span").textContent = playing ? "Pause" : "Play";
  });
})();
