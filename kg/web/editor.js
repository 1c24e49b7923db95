// The SPARQL editor of the query page: YASGUI (served from the package) over the plain text area, when it loaded.
// Without it (npm was missing at install) the page keeps the text area, its Run button and its table.
(function () {
  "use strict";
  const area = document.getElementById("editor");
  const box = document.getElementById("yasgui");
  if (!area || !box || typeof window.Yasgui !== "function") return;
  const Yasgui = window.Yasgui;
  const endpoint = window.location.origin + "/sparql";
  // completion from this server only: the Lattice prefixes (/api/prefixes) and the query's variables; the class
  // and property completers ask a remote vocabulary service, which the page's policy (and offline use) forbids
  Yasgui.Yasqe.defaults.autocompleters = Yasgui.Yasqe.defaults.autocompleters.filter(
    (name) => name === "prefixes" || name === "variables");
  const shared = /(^|[#&])query=/.test(window.location.hash);
  box.hidden = false;
  const yasgui = new Yasgui(box, {
    requestConfig: { endpoint, method: "POST", acceptHeaderSelect: "application/sparql-results+json" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint }] },
    persistenceId: null,  // no state kept between visits: a page shows what its URL says
    populateFromUrl: true,
    autofocus: false,
    yasqe: { prefixCcApi: "/api/prefixes", value: area.value, resizeable: true, editorHeight: "320px" },
    yasr: { pluginOrder: ["table", "response"], defaultPlugin: "table" },
  });
  const tab = () => yasgui.getTab();
  const yasqe = () => tab().getYasqe();
  const yasr = () => tab().getYasr();

  // names for the fields YASGUI leaves unnamed, so that a screen reader can tell them apart
  function name(selector, label) {
    box.querySelectorAll(selector).forEach((el) => { if (!el.getAttribute("aria-label")) el.setAttribute("aria-label", label); });
  }
  function label() {
    name(".CodeMirror textarea", "SPARQL query");
    name("input.autocomplete", "SPARQL endpoint");
    name(".tabsList input", "tab name");
    name("select.tableSizer", "rows per page");
    name(".dataTables_filter input, .tableFilter", "filter the results");
    // a long query scrolls: its scrolling region is reachable with Tab (arrow keys then scroll it)
    box.querySelectorAll(".CodeMirror-scroll").forEach((el) => {
      el.setAttribute("tabindex", "0");
      name(".CodeMirror-scroll", "SPARQL query, scrolled");
    });
  }

  function follow() {
    const q = yasqe();
    if (!q || q.__lattice) return;
    q.__lattice = true;
    q.on("change", () => { area.value = q.getValue(); });  // the text area stays the one the page reads
    area.value = q.getValue();
    tab().getYasr().on("drawn", label);
    label();
  }
  follow();
  yasgui.on("tabSelect", () => setTimeout(follow, 0));
  yasgui.on("tabAdd", () => setTimeout(follow, 0));

  document.body.classList.add("with-yasgui");
  // What app.js calls: put a named query into the editor; show an answer it fetched itself (named queries go
  // through /api/queries/NAME with their parameters) in the editor's results.
  window.latticeEditor = {
    shared,
    set(text) {
      if (yasqe().getValue() !== text) yasqe().setValue(text);
      area.value = text;
    },
    show(text, contentType, ms) {
      yasr().setResponse({ data: text, contentType, status: 200, executionTime: ms });
    },
    yasgui,
  };
})();
