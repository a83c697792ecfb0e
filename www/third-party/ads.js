/* Local stand-in for the Meta pixel base code (connect.facebook.net/…/fbevents.js)
   and Google Ads' conversion linker. The demo never contacts Meta or Google:
   this file records that it ran and sets the first-party cookies those tags
   set, _fbp (Meta) and _gcl_au (Google Ads), both for 90 days. */
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

  // The widest domain the browser accepts, as both real tags do.
  function setCookie(name, value, maxAgeSeconds) {
    var attrs = "; path=/; SameSite=Lax; max-age=" + maxAgeSeconds +
      (location.protocol === "https:" ? "; Secure" : "");
    var host = location.hostname;
    var labels = host.split(".");
    if (!/^[0-9.]+$/.test(host) && host.indexOf(":") < 0 && labels.length > 1) {
      for (var i = labels.length - 2; i >= 0; i--) {
        document.cookie = name + "=" + value + attrs + "; domain=" + labels.slice(i).join(".");
        if (("; " + document.cookie + ";").indexOf("; " + name + "=" + value + ";") >= 0) return;
      }
    }
    document.cookie = name + "=" + value + attrs;
  }

  var ninetyDays = 90 * 86400;
  var now = Date.now();
  var random = Math.floor(Math.random() * 2147483647);
  setCookie("_fbp", "fb.1." + now + "." + random, ninetyDays);
  setCookie("_gcl_au", "1.1." + random + "." + Math.floor(now / 1000), ninetyDays);

  // The real base code exposes fbq(); a do-nothing queue is enough here.
  window.fbq = window.fbq || function fbq() { (window.fbq.queue = window.fbq.queue || []).push(arguments); };

  record("marketing:ads.js", "Meta and Google Ads stand-in loaded; set _fbp, _gcl_au");
})();
