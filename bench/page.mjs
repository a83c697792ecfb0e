// The one realistic page every library is measured on: the Panelwise landing
// page with Google Analytics (gtag.js + config), the Meta pixel (fbevents.js +
// the noscript image), a YouTube embed and a first-party preferences script.
// Only the consent manager and each library's own gated markup differ; see
// libs.mjs. Everything third-party is answered locally by the runner.

export const GA_ID = "G-BENCH01";
export const GA_SRC = `https://www.googletagmanager.com/gtag/js?id=${GA_ID}`;
export const GA_CONFIG = `window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());gtag('config','${GA_ID}');`;
export const FB_SRC = "https://connect.facebook.net/en_US/fbevents.js";
export const FB_SNIPPET =
  "!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};" +
  "if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;t.src=v;" +
  `s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,document,'script','${FB_SRC}');fbq('init','100000000000001');fbq('track','PageView');`;
export const FB_PIXEL = "https://www.facebook.com/tr?id=100000000000001&ev=PageView&noscript=1";
export const VIDEO_ID = "BENCHVIDEO1";
export const VIDEO_SRC = `https://www.youtube-nocookie.com/embed/${VIDEO_ID}`;

/** Category texts shared by every library, so each banner says the same. */
export const TEXT = {
  title: "We use cookies",
  notice:
    "We use cookies to measure how the site is used and to show you relevant ads. You can accept them, refuse them or choose per category.",
  necessary: { title: "Necessary", description: "Keep the site working: sign-in, security and your consent choice. Always on." },
  analytics: { title: "Analytics", description: "Google Analytics counts visits and shows us which pages are useful." },
  marketing: { title: "Marketing", description: "The Meta pixel and YouTube embeds measure ads and may recognise you on other sites." },
};

/**
 * @param {{head: string, analytics: string, video: string, marketing: string, bodyEnd?: string}} lib
 *   head: the library's own tags; analytics/video/marketing: its gated form of
 *   the GA snippet, the YouTube embed and the Meta pixel.
 * @param {{firstLayer?: string, css?: string}} [opts] firstLayer: server-rendered
 *   markup of the library's first layer, put first in <body> so it is parsed
 *   before the first paint (the "first layer pre-rendered" variant); css: the
 *   stylesheet such a page links in its head, as the library documents, so
 *   that first paint is styled.
 */
export function page(lib, { firstLayer = "", css = "" } = {}) {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Panelwise: one calm panel for all your servers</title>
  <link rel="icon" href="/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/site.css">
${css ? `  <link rel="stylesheet" href="${css}" data-consentry-css>\n` : ""}${lib.head}
  <!-- first-party preferences script (strictly necessary, never gated) -->
  <script src="/bench/prefs.js" defer></script>
${lib.analytics}
</head>
<body>
${firstLayer ? firstLayer + "\n" : ""}  <a class="skip" href="#main">Skip to content</a>
  <header class="site-header">
    <div class="wrap">
      <a class="brand" href="/" aria-label="Panelwise home">Panelwise</a>
      <nav class="site-nav" aria-label="Main">
        <ul>
          <li><a href="/" aria-current="page">Home</a></li>
          <li><a href="#pricing">Pricing</a></li>
          <li><a href="/account">Account area</a></li>
          <li><a href="/privacy-policy">Privacy policy</a></li>
        </ul>
      </nav>
    </div>
  </header>
  <main id="main">
    <section class="hero" aria-labelledby="hero-title">
      <div class="wrap">
        <div>
          <p class="eyebrow">Hosting control panel</p>
          <h1 id="hero-title">One calm panel for every server you run</h1>
          <p class="lead">Panelwise puts websites, mail, DNS, databases and backups on one screen, so web studios and hosting providers spend their day on clients instead of config files.</p>
          <div class="actions">
            <a class="button" href="/account">Start a 14-day trial</a>
            <a class="button secondary" href="#tour">Watch the tour</a>
          </div>
          <ul class="hero-facts">
            <li><strong>3 minutes</strong> from SSH to first site</li>
            <li><strong>40+</strong> one-click applications</li>
            <li><strong>3 Linux families</strong> Debian, Ubuntu, AlmaLinux</li>
          </ul>
        </div>
      </div>
    </section>
    <section class="section alt" id="features" aria-labelledby="features-title">
      <div class="wrap">
        <div class="section-head">
          <p class="eyebrow">What it does</p>
          <h2 id="features-title">Everything a server needs, nothing it does not</h2>
          <p>Panelwise installs next to your stack, not on top of it. Turn it off and your sites keep running.</p>
        </div>
        <ul class="features">
          <li class="feature"><h3>Websites and domains</h3><p>Create a site in under a minute, attach domains and aliases, and pick the PHP version for each site separately.</p></li>
          <li class="feature"><h3>Mail that gets delivered</h3><p>Mailboxes, forwarding and spam filtering, with SPF, DKIM and DMARC records written for you.</p></li>
          <li class="feature"><h3>DNS without surprises</h3><p>Edit zones in a clear table. Every change is checked for typos and conflicts before it goes live.</p></li>
          <li class="feature"><h3>Databases</h3><p>MySQL, MariaDB and PostgreSQL with users, permissions and one-click dumps.</p></li>
          <li class="feature"><h3>Backups you can restore</h3><p>Scheduled incremental backups to local disk, S3-compatible storage or Google Drive, restored file by file.</p></li>
          <li class="feature"><h3>Certificates and firewall</h3><p>Free Let's Encrypt certificates that renew themselves, firewall rules and protection against password guessing.</p></li>
        </ul>
      </div>
    </section>
    <section class="section" id="tour" aria-labelledby="tour-title">
      <div class="wrap tour">
        <div>
          <p class="eyebrow">Product tour</p>
          <h2 id="tour-title">See Panelwise in two minutes</h2>
          <p>A short walk through the panel, from adding a server to restoring a backup.</p>
        </div>
        <div class="video-frame">
${lib.video}
        </div>
      </div>
    </section>
    <section class="section" id="pricing" aria-labelledby="pricing-title">
      <div class="wrap">
        <div class="section-head">
          <p class="eyebrow">Pricing</p>
          <h2 id="pricing-title">Pay per server, not per site</h2>
          <p>Every plan includes updates, the mobile app and the full API. Switch or cancel any time from the Account area.</p>
        </div>
        <p class="plans-note">Prices exclude VAT and are billed monthly. Annual billing saves two months.</p>
      </div>
    </section>
  </main>
  <footer class="site-footer">
    <div class="wrap">
      <p class="legal">&copy; 2025 Panelwise. A fictional company.</p>
    </div>
${lib.marketing}
  </footer>
${lib.bodyEnd ?? ""}
</body>
</html>
`;
}

/** The first-party preferences script: reads a cookie, sets a class. */
export const PREFS_JS = `(function(){var m=document.cookie.match(/(?:^|; )pw_layout=([^;]*)/);document.documentElement.classList.add('layout-'+(m?m[1]:'comfortable'));})();\n`;
