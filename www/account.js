// Account area: consentry as an ES module, with the preferences panel mounted
// inline in the "Privacy & cookies" section instead of a dialog.
import { init } from "/assets/consentry/consentry.mjs";

const panel = document.getElementById("privacy-panel");
try {
  // The page's JSON config when it has one (npm start adds the ledger's),
  // otherwise the built-in categories.
  const inline = document.querySelector('script[type="application/json"]#consentry-config');
  const consent = await init(inline ? JSON.parse(inline.textContent) : undefined);
  consent.mountPreferences(panel);
} catch (err) {
  // Say what went wrong where the settings would have been; optional cookies stay off.
  const p = document.createElement("p");
  p.className = "notice";
  p.textContent = "Your cookie settings could not be loaded (" + (err && err.message ? err.message : String(err)) +
    "). Until they load, only the cookies needed for sign-in and security are used.";
  panel.replaceChildren(p);
}
