// The search box of every page: suggestions as the user types (from /api/search), keyboard and mouse.
(function () {
  "use strict";
  const input = document.getElementById("site-search");
  const list = document.getElementById("site-search-list");
  if (!input || !list) return;
  let active = -1;
  let items = [];
  let timer = null;
  let seq = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(i) {
    const options = list.querySelectorAll('[role="option"]');
    options.forEach((o, j) => o.setAttribute("aria-selected", j === i ? "true" : "false"));
    active = i;
    if (i >= 0 && options[i]) input.setAttribute("aria-activedescendant", options[i].id);
  }

  function show(results) {
    items = results;
    list.textContent = "";
    results.forEach((hit, i) => {
      const li = document.createElement("li");
      li.id = "site-search-opt-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.textContent = hit.label;  // labels are data: text, never HTML
      if (hit.href) li.dataset.href = hit.href;
      const extra = hit.alias ? "also “" + hit.alias + "”" : (hit.kinds || []).slice(0, 2).join(", ");
      if (extra) {
        const small = document.createElement("small");
        small.textContent = " " + extra;
        li.appendChild(small);
      }
      li.addEventListener("mousedown", (e) => { e.preventDefault(); go(i); });
      list.appendChild(li);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
    active = -1;
  }

  function go(i) {
    const hit = items[i];
    if (hit && hit.href && (hit.href.startsWith("/") || /^https?:\/\//i.test(hit.href))) {
      window.location.assign(hit.href);
    }
  }

  async function suggest() {
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) { close(); return; }
    try {
      const r = await fetch("/api/search?limit=8&q=" + encodeURIComponent(q.slice(0, 200)));
      if (!r.ok || mine !== seq) return;
      const data = await r.json();
      if (mine === seq) show(data.results || []);
    } catch (e) { close(); }
  }

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(suggest, 120); });
  input.addEventListener("keydown", (e) => {
    const n = items.length;
    if (e.key === "ArrowDown" && n) { e.preventDefault(); list.hidden = false; highlight((active + 1) % n); }
    else if (e.key === "ArrowUp" && n) { e.preventDefault(); highlight((active - 1 + n) % n); }
    else if (e.key === "Escape") { close(); }
    else if (e.key === "Enter" && active >= 0 && !list.hidden) { e.preventDefault(); go(active); }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
})();
