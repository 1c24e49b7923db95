// The charts of the pages (Vega-Lite through vega-embed, served from the package) over the data each figure names:
// an entity's counts by year, the accountability gap index. Drawn with Vega's expression interpreter (no eval, as the
// pages' Content-Security-Policy requires); where the libraries are missing the table or the server's SVG remains.
(function () {
  "use strict";
  if (typeof window.vegaEmbed !== "function") return;
  const embed = window.vegaEmbed;
  const OPTIONS = {
    renderer: "svg",
    actions: false,  // the figure links its data as CSV; the export menu would need inline styles
    ast: true,  // expressions as syntax trees, read by the interpreter below instead of compiled with Function()
    expr: embed.expressionInterpreter,
    defaultStyle: false,  // vega-embed's own <style> element is refused by the policy; pages.css styles the chart
    tooltip: false,
  };

  function number(b) {
    if (!b || b.type !== "literal") return null;
    const v = Number(b.value);
    return Number.isFinite(v) ? v : null;
  }

  function gapRows(data, limit) {
    return ((data.results || {}).bindings || []).slice(0, limit).map((b) => ({
      io: (b.io || {}).value, label: (b.label || b.io || {}).value, year: number(b.year),
      delegation: number(b.delegation), pooling: number(b.pooling), access: number(b.access),
      gap: number(b.gap), gapIfClosed: number(b.gapIfClosed),
    })).filter((r) => r.io && r.year !== null);
  }

  const SPECS = {
    counts(fig, data) {
      const values = (data.rows || []).map((r) => ({ year: r.year, count: r.count }));
      return {
        description: fig.dataset.title + ": a bar per year; the counts are in the table below and as CSV.",
        width: "container", height: 200, data: { values },
        mark: { type: "bar", tooltip: false },
        encoding: {
          x: { field: "year", type: "ordinal", title: "year", axis: { labelAngle: -45, labelOverlap: true } },
          y: { field: "count", type: "quantitative", title: "how many" },
        },
      };
    },
    gap(fig, data) {
      const rows = gapRows(data, Number(fig.dataset.rows)).filter((r) => r.gap !== null);
      const latest = Math.max(...rows.map((r) => r.year));
      const top = rows.filter((r) => r.year === latest)
        .sort((a, b) => b.gap - a.gap || (a.io < b.io ? -1 : 1)).slice(0, Number(fig.dataset.bars));
      return {
        description: "Widest accountability gaps in " + latest + ": one bar per organization; the data is linked as CSV.",
        title: "Widest accountability gaps in " + latest,
        width: "container", height: { step: 22 }, data: { values: top },
        mark: "bar",
        encoding: {
          y: { field: "label", type: "nominal", sort: "-x", title: null },
          x: { field: "gap", type: "quantitative", title: "gap index" },
        },
      };
    },
    "gap-io"(fig, data) {
      const rows = gapRows(data, Number(fig.dataset.rows));
      const series = { delegation: "delegation", pooling: "pooling", access: "share of bodies open",
                       gap: "gap", gapIfClosed: "gap if closed" };
      const values = [];
      for (const r of rows) {
        for (const [key, name] of Object.entries(series)) {
          if (r[key] !== null) values.push({ year: r.year, series: name, value: r[key] });
        }
      }
      const name = rows.length ? rows[0].label : "";
      return {
        description: name + ": authority, access and gap over time, one line per measure; the data is linked as CSV.",
        title: name + ": authority, access and gap over time",
        width: "container", height: 260, data: { values },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "year", type: "quantitative", axis: { format: "d" } },
          y: { field: "value", type: "quantitative", title: "score / share", scale: { domain: [0, 1] } },
          color: { field: "series", type: "nominal", title: null },
        },
      };
    },
  };

  async function draw(fig) {
    const make = SPECS[fig.dataset.kind];
    const src = fig.dataset.src || "";
    if (!make || !src.startsWith("/")) return;
    const r = await fetch(src, { headers: { Accept: "application/json, application/sparql-results+json" } });
    if (!r.ok) throw new Error("HTTP " + r.status);
    const spec = { $schema: "https://vega.github.io/schema/vega-lite/v6.json", ...make(fig, await r.json()) };
    if (!spec.data.values.length) return null;  // nothing to draw: the server's picture or table stays
    const box = document.createElement("div");
    box.className = "vl-view";
    fig.insertBefore(box, fig.firstChild);
    const result = await embed(box, spec, OPTIONS);
    const svg = box.querySelector("svg");
    if (svg) {
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", spec.description);
    }
    fig.querySelectorAll(":scope > svg").forEach((s) => s.setAttribute("hidden", ""));  // the server's picture, now drawn
    fig.dataset.drawn = String(spec.data.values.length);  // data points drawn (for tests and the console)
    return result;
  }

  document.querySelectorAll("figure.vl-chart").forEach((fig) => {
    draw(fig).catch((err) => { fig.dataset.error = String(err); });
  });
})();
