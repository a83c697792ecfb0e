/* Panelwise's own settings script (category "settings"). It remembers the
   page language and the panel layout: the cookies lang (1 year) and ui_state
   (6 months), plus the storage keys ui_theme (localStorage) and ui_last_tab
   (sessionStorage), which consentry removes when settings are refused. */
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

  function setCookie(name, value, maxAgeSeconds) {
    document.cookie = name + "=" + encodeURIComponent(value) + "; path=/; SameSite=Lax; max-age=" +
      maxAgeSeconds + (location.protocol === "https:" ? "; Secure" : "");
  }

  var DAY = 86400;
  setCookie("lang", (document.documentElement.lang || "en").toLowerCase(), 365 * DAY);
  setCookie("ui_state", "sidebar-open", 182 * DAY);
  try {
    localStorage.setItem("ui_theme", "light");
    sessionStorage.setItem("ui_last_tab", "overview");
  } catch (e) {
    // Storage can be switched off in the browser; the cookies above still show the point.
  }

  record("settings:settings.js", "Panelwise settings loaded; set lang, ui_state, ui_theme, ui_last_tab");
})();
