// Server rendering for the demo site (scripts/start.mjs, scripts/serve.mjs):
// each www/ page gets the first layer from consentry/server (the core
// compiled for Node), for its own config and language and the request's
// cookies, so the banner shows at first paint and the gate adopts it.
//
//   const html = await renderPage(text, req, distFolder);

import { join } from "node:path";
import { pathToFileURL } from "node:url";

const loaded = new Map();

/** consentry/server from a dist/ folder, imported once. */
function core(dist) {
  if (!loaded.has(dist)) loaded.set(dist, import(pathToFileURL(join(dist, "consentry-server.mjs")).href));
  return loaded.get(dist);
}

/**
 * `html` with the first layer as the first child of <body>, and what its
 * first paint needs in <head>: consentry.css and the early snippet (the
 * visitor's click before the gate is ready; dist/consentry-early.js, served
 * from 'self'). Unchanged for a visitor whose cookie holds a valid decision.
 */
export async function renderPage(html, req, dist) {
  const { renderBanner } = await core(dist);
  // The page's own inline config (JSON text, `<` escaped as \u003c or <\/).
  const inline = html.match(/<script type="application\/json" id="consentry-config">([^]*?)<\/script>/);
  const lang = html.match(/<html[^>]*\slang="([^"]*)"/)?.[1];
  const banner = renderBanner(inline ? inline[1] : undefined, lang, req.headers.cookie, req.headers["sec-gpc"]);
  if (!banner) return html;
  const head = '<link rel="stylesheet" href="/assets/consentry/consentry.css" data-consentry-css>\n  <script src="/assets/consentry/consentry-early.js"></script>\n';
  return html.replace("</head>", head + "</head>").replace(/<body[^>]*>/, (tag) => tag + banner);
}
