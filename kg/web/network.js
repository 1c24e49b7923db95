// The interactive accountability network of an entity page (Cytoscape.js): pan, zoom, click through.
(function () {
  "use strict";
  const box = document.getElementById("cy");
  const status = document.getElementById("net-status");
  if (!box || typeof cytoscape !== "function") return;
  const iri = box.getAttribute("data-iri");

  function say(text) { if (status) status.textContent = text; }

  fetch("/api/network?iri=" + encodeURIComponent(iri))
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status))))
    .then((data) => {
      const cy = cytoscape({
        container: box,
        elements: data.elements,
        minZoom: 0.1,
        maxZoom: 4,
        style: [
          { selector: "node", style: {
            "background-color": "data(colour)", label: "data(label)", "font-size": 10, "text-wrap": "wrap",
            "text-max-width": 120, "text-valign": "bottom", "text-margin-y": 3, width: 22, height: 22,
            "border-width": 1, "border-color": "#5b6475" } },
          { selector: "node[?focus]", style: { width: 34, height: 34, "border-width": 3, "border-color": "#1d2330",
            "font-weight": "bold" } },
          { selector: "edge", style: {
            width: 1.5, "line-color": "#9aa3b2", "target-arrow-color": "#9aa3b2", "target-arrow-shape": "triangle",
            "curve-style": "bezier", label: "data(label)", "font-size": 8, color: "#5b6475",
            "text-rotation": "autorotate" } },
          { selector: "node:selected", style: { "border-color": "#1f5fa8", "border-width": 4 } },
        ],
        // rings around the entity: one ring per step away from it (forums and those answering alike)
        layout: { name: "concentric", concentric: (n) => 10 - Math.abs(n.data("level") || 0), levelWidth: () => 1,
                  minNodeSpacing: 12, animate: false },
      });
      cy.on("tap", "node", (evt) => {
        const href = evt.target.data("href");
        if (href && href.startsWith("/") && !evt.target.data("focus")) window.location.assign(href);
      });
      const nodes = cy.nodes().length;
      const edges = cy.edges().length;
      box.setAttribute("data-nodes", String(nodes));
      box.setAttribute("data-ready", "true");
      say(nodes + " bodies, " + edges + " relations.");
      const zoom = (f) => cy.zoom({ level: cy.zoom() * f, renderedPosition: { x: box.clientWidth / 2, y: box.clientHeight / 2 } });
      document.getElementById("net-zoom-in").addEventListener("click", () => zoom(1.25));
      document.getElementById("net-zoom-out").addEventListener("click", () => zoom(0.8));
      document.getElementById("net-fit").addEventListener("click", () => cy.fit(undefined, 20));
      box.addEventListener("keydown", (e) => {
        const step = 40;
        const moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
        if (moves[e.key]) { e.preventDefault(); cy.panBy({ x: moves[e.key][0], y: moves[e.key][1] }); }
        else if (e.key === "+" || e.key === "=") { e.preventDefault(); zoom(1.25); }
        else if (e.key === "-") { e.preventDefault(); zoom(0.8); }
        else if (e.key === "n" || e.key === "N" || e.key === "p" || e.key === "P") { e.preventDefault(); choose(/n/i.test(e.key) ? 1 : -1); }
        else if (e.key === "Enter") {
          const chosen = cy.nodes(":selected")[0];
          if (chosen && chosen.data("href") && chosen.data("href").startsWith("/")) { e.preventDefault(); window.location.assign(chosen.data("href")); }
        }
      });
      // the bodies in reading order (by label) for N and P; the chosen one is selected, centred and read out
      const order = cy.nodes().filter((n) => !n.data("focus") && n.data("href")).sort((a, b) =>
        String(a.data("label")).localeCompare(String(b.data("label"))));
      let current = -1;
      function choose(by) {
        if (!order.length) return;
        current = (current + by + order.length) % order.length;
        const node = order[current];
        cy.nodes().unselect();
        node.select();
        cy.center(node);
        say((current + 1) + " of " + order.length + ": " + node.data("label") + " (Enter opens its page)");
      }
      window.latticeNetwork = cy;  // for tests and the console
    })
    .catch((err) => say("The network could not be drawn: " + err.message));
})();
