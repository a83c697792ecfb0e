// The sample email page (email.html): once its pixels have loaded, shows
// how many opens and clicks the ledger counted for the demo campaign (with
// consent only). /demo/campaigns exists while `npm start` runs the ledger.
addEventListener("load", async () => {
  const set = (id, v) => (document.getElementById(id).textContent = v);
  try {
    const res = await fetch("/demo/campaigns", { cache: "no-store" });
    const { campaigns } = await res.json();
    const c = campaigns.find((x) => x.campaign === "spring-demo") || { opens: 0, clicks: 0 };
    set("opens", String(c.opens));
    set("clicks", String(c.clicks));
  } catch {
    set("opens", "unknown");
    set("clicks", "unknown");
  }
});
