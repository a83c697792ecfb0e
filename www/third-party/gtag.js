/* Local stand-in for Google's gtag.js (www.googletagmanager.com/gtag/js).
   The demo never contacts Google: this file only behaves enough like the real
   tag to make consent visible. It defines window.gtag, records that it ran and
   sets the cookies Google Analytics sets (_ga, _ga_DEMO, _gid).

   Unlike the real gtag.js it does not replay 'config' commands queued in
   window.dataLayer before it loaded. So "analytics:config" appears in the demo
   log only if the inline config script ran after this file, as it must. */
(function () {
  "use strict";

  function record(entry, note) {
    (window.__demoLog = window.__demoLog || []).push(entry);
    function show() {
      var list = document.getElementById("demo-log");
      if (!list) return;
      var li = document.createElement("li");
      li.textContent = entry;
      li.setAttribute("data-note", note);
      list.appendChild(li);
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
    else show();
  }

  // Like Google's cookie_domain "auto": the widest domain the browser accepts
  // (".example.com" from "www.example.com"), host-only for IPs and localhost.
  function setCookie(name, value, maxAgeSeconds) {
    var attrs = "; path=/; SameSite=Lax" +
      (maxAgeSeconds ? "; max-age=" + maxAgeSeconds : "") +
      (location.protocol === "https:" ? "; Secure" : "");
    var host = location.hostname;
    var labels = host.split(".");
    if (!/^[0-9.]+$/.test(host) && host.indexOf(":") < 0 && labels.length > 1) {
      for (var i = labels.length - 2; i >= 0; i--) {
        document.cookie = name + "=" + value + attrs + "; domain=" + labels.slice(i).join(".");
        if (hasCookie(name, value)) return;
      }
    }
    document.cookie = name + "=" + value + attrs;
  }
  function hasCookie(name, value) {
    return ("; " + document.cookie + ";").indexOf("; " + name + "=" + value + ";") >= 0;
  }

  var DAY = 86400;
  var now = Math.floor(Date.now() / 1000);
  var clientId = Math.floor(Math.random() * 2147483647) + "." + now;

  window.dataLayer = window.dataLayer || [];
  window.gtag = function gtag() {
    window.dataLayer.push(arguments);
    if (arguments[0] === "config") {
      var id = String(arguments[1] || "");
      record("analytics:config", "gtag('config', '" + id + "') handled by the gtag.js stand-in");
    }
  };
  window.gtag("js", new Date());

  setCookie("_ga", "GA1.1." + clientId, 730 * DAY);
  setCookie("_ga_DEMO", "GS1.1." + now + ".1.0." + now + ".0.0.0", 730 * DAY);
  setCookie("_gid", "GA1.1." + Math.floor(Math.random() * 2147483647) + "." + now, DAY);

  record("analytics:gtag.js", "Google Analytics stand-in loaded; set _ga, _ga_DEMO, _gid");
})();
