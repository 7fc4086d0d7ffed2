/// The page's one style sheet: light and dark themes (prefers-color-scheme), Okabe–Ito series
/// colours ordered per theme by contrast against the page (WCAG 3:1 for graphics), viridis for
/// heat maps (set per cell), CJK-capable fonts, a one-column print layout.
enum Style {
  static let css = """
    :root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1d22; --muted: #5a606b; --grid: #d9dce1;
      --panel: #f4f5f7; --bad: #b3261e; --ok: #1b6e3a;
      --s1: #0072B2; --s2: #D55E00; --s3: #009E73; --s4: #CC79A7; --s5: #1b1d22; --s6: #56B4E9; }
    @media (prefers-color-scheme: dark) {
      :root { --bg: #16181d; --fg: #e8eaed; --muted: #a3a9b3; --grid: #3a3f48; --panel: #20232a;
        --bad: #ff8a80; --ok: #7bd88f;
        --s1: #E69F00; --s2: #56B4E9; --s3: #F0E442; --s4: #CC79A7; --s5: #009E73; --s6: #D55E00; }
    }
    html { background: var(--bg); color: var(--fg); }
    body { font-family: system-ui, "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
      "Microsoft YaHei", sans-serif; margin: 0 auto; max-width: 1180px; padding: 24px; line-height: 1.45; }
    h1 { font-size: 1.6em; margin: 0 0 4px; } h2 { font-size: 1.25em; margin: 32px 0 8px; }
    .muted, figcaption p { color: var(--muted); }
    .banner { border: 2px solid var(--bad); color: var(--bad); padding: 8px 12px; margin: 12px 0; font-weight: 600; }
    .scorecard { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 8px; margin: 16px 0; }
    .scorecard div { background: var(--panel); padding: 8px 12px; border-radius: 6px; }
    .scorecard b { display: block; font-size: 1.35em; }
    .figure { display: grid; grid-template-columns: 3fr 2fr; gap: 16px; margin: 16px 0; break-inside: avoid; }
    .figure .plot svg { width: 100%; height: auto; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.9em; }
    th, td { padding: 3px 8px; border-bottom: 1px solid var(--grid); text-align: left; }
    th { white-space: nowrap; word-break: keep-all; }
    td.num { text-align: right; } td.bad { color: var(--bad); } td.good { color: var(--ok); }
    td.best { font-weight: 700; }
    svg .grid { stroke: var(--grid); stroke-width: 1; }
    svg .axis { stroke: var(--fg); stroke-width: 1.2; }
    svg text { fill: var(--fg); font-size: 12px; }
    svg .tick { fill: var(--muted); font-size: 11px; }
    svg .axis-label, svg .roof-label { fill: var(--muted); font-size: 12px; }
    svg .ring { fill: none; stroke: var(--grid); } svg .ring.reference { stroke: var(--muted); stroke-width: 1.5; }
    svg polyline.series, svg polyline.roof { fill: none; stroke-width: 2.2; }
    svg .roof.measured { stroke: var(--s1); } svg .roof.peak { stroke: var(--muted); stroke-dasharray: 3 4; }
    svg .peak { fill: none; stroke: var(--muted); stroke-dasharray: 3 3; }
    svg .bar { fill: var(--s1); } svg .bar.emulated { fill: var(--s4); } svg .bar.mixed { fill: var(--s3); }
    svg .expected { stroke: var(--s2); stroke-width: 3; }
    svg rect.estimate { fill-opacity: 0.4; stroke: var(--fg); stroke-dasharray: 4 2; }
    svg .boundary { stroke: var(--fg); stroke-width: 2; }
    svg .cell { stroke: var(--bg); stroke-width: 0.5; }
    svg .s1 { stroke: var(--s1); fill: var(--s1); } svg .s2 { stroke: var(--s2); fill: var(--s2); }
    svg .s3 { stroke: var(--s3); fill: var(--s3); } svg .s4 { stroke: var(--s4); fill: var(--s4); }
    svg .s5 { stroke: var(--s5); fill: var(--s5); } svg .s6 { stroke: var(--s6); fill: var(--s6); }
    svg polyline.s1, svg polyline.s2, svg polyline.s3, svg polyline.s4, svg polyline.s5, svg polyline.s6 { fill: none; }
    svg circle, svg rect.series, svg polygon { stroke: var(--fg); stroke-width: 0.8; }
    .multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 12px; }
    .multiples svg { width: 100%; height: auto; }
    @media print {
      :root { --bg: #ffffff; --fg: #000000; --muted: #444444; --grid: #cccccc; --panel: #ffffff;
        --s1: #0072B2; --s2: #D55E00; --s3: #009E73; --s4: #CC79A7; --s5: #000000; --s6: #56B4E9; }
      body { max-width: none; padding: 0; } .figure { grid-template-columns: 1fr; }
    }
    """
}
