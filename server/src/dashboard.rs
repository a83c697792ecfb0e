//! The `/admin` page: consent rate per category per day and the share of
//! each method, drawn as inline SVG on the server (no scripts, no assets).

use std::fmt::Write;

const MAX_CATEGORIES: usize = 32;
const COLOURS: [&str; 8] = [
    "#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777",
];
const METHODS: [&str; 4] = ["accept-all", "reject-all", "custom", "account"];

pub struct Stats {
    since_ms: i64,
    days: i64,
    /// Category ids in the order first seen.
    categories: Vec<String>,
    /// Per day: decisions, and per category how many allowed it.
    per_day: Vec<(u64, Vec<u64>)>,
    methods: [u64; 4],
    /// Required categories: always allowed, so their line says nothing.
    skip: Vec<String>,
}

impl Stats {
    pub fn new(since_ms: i64, days: i64, skip: Vec<String>) -> Stats {
        Stats {
            since_ms,
            days,
            categories: Vec::new(),
            per_day: (0..days).map(|_| (0, Vec::new())).collect(),
            methods: [0; 4],
            skip,
        }
    }

    pub fn add(&mut self, at_ms: i64, method: &str, categories: &str) {
        let Some(slot) = usize::try_from((at_ms - self.since_ms) / 86_400_000)
            .ok()
            .and_then(|d| self.per_day.get_mut(d))
        else {
            return;
        };
        if let Some(i) = METHODS.iter().position(|m| *m == method) {
            if let Some(n) = self.methods.get_mut(i) {
                *n += 1;
            }
        }
        slot.0 += 1;
        let Ok(consentry::json::Value::Map(map)) = consentry::json::parse(categories) else {
            return;
        };
        for (id, on) in map {
            if self.skip.contains(&id) {
                continue;
            }
            let i = match self.categories.iter().position(|c| *c == id) {
                Some(i) => i,
                None if self.categories.len() < MAX_CATEGORIES => {
                    self.categories.push(id);
                    self.categories.len() - 1
                }
                None => continue,
            };
            if slot.1.len() <= i {
                slot.1.resize(i + 1, 0);
            }
            if on == consentry::json::Value::Bool(true) {
                if let Some(n) = slot.1.get_mut(i) {
                    *n += 1;
                }
            }
        }
    }

    pub fn decisions(&self) -> u64 {
        self.per_day.iter().map(|d| d.0).sum()
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn day_label(since_ms: i64, d: i64) -> String {
    let iso = consentry::time::iso8601(u64::try_from(since_ms / 1000 + d * 86_400).unwrap_or(0));
    iso.get(5..10).unwrap_or("").to_owned()
}

/// The line chart: x is the day, y the share of that day's decisions that
/// allowed the category. Days without decisions leave a gap.
fn rate_chart(s: &Stats) -> String {
    let (w, h, left, top, bottom) = (760.0, 300.0, 48.0, 16.0, 40.0);
    let plot_w = w - left - 16.0;
    let plot_h = h - top - bottom;
    let x = |d: i64| left + plot_w * (d as f64) / ((s.days - 1).max(1) as f64);
    let y = |r: f64| top + plot_h * (1.0 - r);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="rate-title"><title id="rate-title">Consent rate per category, last {} days</title>"#,
        s.days
    );
    for pct in [0, 25, 50, 75, 100] {
        let yy = y(f64::from(pct) / 100.0);
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{}" y1="{yy}" y2="{yy}" stroke="#e5e7eb"/><text x="{}" y="{}" font-size="11" text-anchor="end" fill="#6b7280">{pct}%</text>"##,
            w - 16.0,
            left - 6.0,
            yy + 4.0
        );
    }
    for d in (0..s.days).step_by(5) {
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#6b7280">{}</text>"##,
            x(d),
            h - bottom + 16.0,
            day_label(s.since_ms, d)
        );
    }
    for (i, id) in s.categories.iter().enumerate() {
        let colour = COLOURS.get(i % COLOURS.len()).copied().unwrap_or("#000");
        let mut path = String::new();
        let mut pen_down = false;
        for (d, (n, allowed)) in s.per_day.iter().enumerate() {
            let d = i64::try_from(d).unwrap_or(0);
            if *n == 0 {
                pen_down = false;
                continue;
            }
            let rate = allowed.get(i).copied().unwrap_or(0) as f64 / *n as f64;
            let _ = write!(
                path,
                "{}{:.1},{:.1} ",
                if pen_down { "L" } else { "M" },
                x(d),
                y(rate)
            );
            let _ = write!(
                out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{colour}"><title>{} {}: {:.0}%</title></circle>"#,
                x(d),
                y(rate),
                esc(id),
                day_label(s.since_ms, d),
                rate * 100.0
            );
            pen_down = true;
        }
        let _ = write!(
            out,
            r#"<path d="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
            path.trim_end()
        );
    }
    out.push_str("</svg>");
    out
}

/// One bar split by method, labelled with counts and shares.
fn method_chart(s: &Stats) -> String {
    let total: u64 = s.methods.iter().sum();
    let (w, h) = (760.0, 70.0);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="method-title"><title id="method-title">Share of each method</title>"#
    );
    let colours = ["#16a34a", "#dc2626", "#2563eb", "#9333ea"];
    let mut at = 0.0;
    for (i, m) in METHODS.iter().enumerate() {
        let n = s.methods.get(i).copied().unwrap_or(0);
        let share = if total == 0 {
            0.0
        } else {
            n as f64 / total as f64
        };
        let bw = w * share;
        let colour = colours.get(i).copied().unwrap_or("#000");
        if bw > 0.0 {
            let _ = write!(
                out,
                r#"<rect x="{at:.1}" y="0" width="{bw:.1}" height="32" fill="{colour}"><title>{m}: {n}</title></rect>"#
            );
        }
        let _ = write!(
            out,
            r##"<rect x="{}" y="46" width="12" height="12" fill="{colour}"/><text x="{}" y="57" font-size="13" fill="#111827">{m}: {n} ({:.0}%)</text>"##,
            i * 190,
            i * 190 + 18,
            share * 100.0
        );
        at += bw;
    }
    if total == 0 {
        out.push_str(r##"<rect x="0" y="0" width="760" height="32" fill="#f3f4f6"/><text x="380" y="21" font-size="13" text-anchor="middle" fill="#6b7280">no decisions yet</text>"##);
    }
    out.push_str("</svg>");
    out
}

/// Email opens and clicks per campaign: (campaign, opens, clicks).
fn campaign_table(rows: &[(String, i64, i64)]) -> String {
    if rows.is_empty() {
        return "<p class=\"facts\">No consented opens or clicks yet.</p>".into();
    }
    let mut out = String::from(
        "<table><caption>Consented email opens and clicks per campaign</caption><thead><tr><th scope=\"col\">Campaign</th><th scope=\"col\">Opens</th><th scope=\"col\">Clicks</th></tr></thead><tbody>",
    );
    for (name, opens, clicks) in rows {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{opens}</td><td>{clicks}</td></tr>",
            esc(name)
        );
    }
    out.push_str("</tbody></table>");
    out
}

pub fn page(s: &Stats, total_events: i64, campaigns: &[(String, i64, i64)]) -> String {
    let mut legend = String::new();
    for (i, id) in s.categories.iter().enumerate() {
        let colour = COLOURS.get(i % COLOURS.len()).copied().unwrap_or("#000");
        let _ = write!(
            legend,
            r#"<li><span style="background:{colour}"></span>{}</li>"#,
            esc(id)
        );
    }
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>consentry ledger</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>
body{{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:800px;color:#111827;padding:0 1rem}}
h1{{font-size:1.4rem}} h2{{font-size:1.1rem;margin-top:2rem}}
.legend{{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1rem}}
.legend span{{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:-1px}}
.facts{{color:#374151}} svg{{max-width:100%;height:auto}}
table{{border-collapse:collapse}} th,td{{padding:.25rem .75rem;text-align:left;border-bottom:1px solid #e5e7eb}} caption{{text-align:left;color:#374151}}
</style></head><body>
<h1>Consent ledger</h1>
<p class="facts">{total_events} events stored · {} decisions in the last {} days</p>
<h2>Consent rate per optional category (share of each day's decisions that allowed it)</h2>
<ul class="legend">{legend}</ul>
{}
<h2>How visitors decided</h2>
{}
<h2>Email campaigns</h2>
<p class="facts">Counted only when the account's latest decision allows email tracking; nothing is kept about the others.</p>
{}
</body></html>"#,
        s.decisions(),
        s.days,
        rate_chart(s),
        method_chart(s),
        campaign_table(campaigns)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_rates_and_methods() {
        let mut s = Stats::new(0, 3, vec!["r".into()]);
        s.add(1000, "accept-all", r#"{"r":true,"a":true,"b":true}"#);
        s.add(2000, "reject-all", r#"{"a":true,"b":false}"#);
        s.add(86_400_000 * 2, "custom", r#"{"a":true,"b":true}"#);
        s.add(86_400_000 * 5, "custom", r#"{"a":true,"b":true}"#); // outside: ignored
        assert_eq!(s.decisions(), 3);
        assert_eq!(s.methods, [1, 1, 1, 0]);
        assert_eq!(s.per_day.first().map(|d| d.1.clone()), Some(vec![2, 1]));
        let html = page(&s, 4, &[("<b>spring".into(), 3, 1)]);
        assert!(html.contains("<th scope=\"row\">&lt;b&gt;spring</th><td>3</td><td>1</td>"));
        assert!(html.contains("<svg") && html.contains("accept-all: 1 (33%)"));
        assert!(html.contains("b 01-01: 50%"));
        assert!(
            !html.contains("<li><span style=\"background:#2563eb\"></span>r</li>"),
            "required categories are not drawn"
        );
        assert_eq!(s.categories, ["a", "b"]);
    }

    #[test]
    fn category_ids_are_escaped() {
        let mut s = Stats::new(0, 1, Vec::new());
        s.add(0, "custom", r#"{"<script>":true}"#);
        assert!(!page(&s, 1, &[]).contains("<script>"));
    }
}
