/* The link graph: draws the page's embedded graph with cytoscape and adds a node's neighbours
   when it is selected. Every node and link drawn is also a row of the page's tables. Labels come
   from reports (identifier values), so rows are built with textContent and never read as HTML. */
(() => {
  "use strict";
  const source = document.getElementById("graph-data");
  if (!source) return;
  const initial = JSON.parse(source.textContent);
  const nodeRows = document.querySelector("#graph-nodes tbody");
  const edgeRows = document.querySelector("#graph-edges tbody");
  const status = document.getElementById("graph-status");
  const selected = document.getElementById("graph-selected");
  const KINDS = {
    report: "Report",
    identifier: "Identifier",
    person: "Person",
    more: "Reports not drawn",
    outside: "Outside your scope",
  };
  const STYLE = [
    { selector: "node", style: {
      label: "data(label)", "font-size": 10, color: "#1d232a", "text-valign": "bottom",
      "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": "160px",
      width: 22, height: 22, "background-color": "#6b7785" } },
    { selector: 'node[kind = "report"]', style: {
      shape: "round-rectangle", width: 34, height: 22, "background-color": "#0b4f8a" } },
    { selector: 'node[priority = "P1"]', style: { "background-color": "#b00020" } },
    { selector: 'node[priority = "P2"]', style: { "background-color": "#d35400" } },
    { selector: 'node[kind = "identifier"]', style: { "background-color": "#2e7d32" } },
    { selector: 'node[kind = "identifier"][!strong]', style: {
      "background-color": "#ffffff", "border-width": 2, "border-style": "dashed",
      "border-color": "#2e7d32" } },
    { selector: 'node[kind = "person"]', style: {
      shape: "triangle", width: 18, height: 18, "background-color": "#6a1b9a" } },
    { selector: 'node[kind = "more"], node[kind = "outside"]', style: {
      shape: "octagon", "background-color": "#c3c9d0", "border-width": 1,
      "border-color": "#5a6470" } },
    { selector: 'node[kind = "outside"]', style: { "border-style": "dashed" } },
    { selector: "node.centre", style: { "border-width": 4, "border-color": "#f2b705" } },
    { selector: "node:selected", style: { "border-width": 4, "border-color": "#000000" } },
    { selector: "edge", style: { width: 1.5, "line-color": "#9aa4ae", "curve-style": "bezier" } },
    { selector: "edge:selected", style: {
      label: "data(label)", "font-size": 9, "line-color": "#1f2a36" } },
  ];

  const nodes = new Map(); // id -> data of every node drawn
  const edges = new Set(); // ids of every link drawn
  const rows = new Map(); // node id -> its table row
  const asked = new Set(); // expansion URLs already fetched
  let cy = null;

  const say = (text) => { status.textContent = text; };

  function link(href, text) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function hidden(text) {
    const span = document.createElement("span");
    span.className = "sr-only";
    span.textContent = text;
    return span;
  }

  function cell(tr, content) {
    const td = document.createElement("td");
    td.append(content);
    tr.append(td);
    return td;
  }

  function details(d) {
    if (d.kind === "report") {
      const priority = d.priority || "no priority yet";
      return `${d.incident_type} · ${priority} · ${d.status} · received ${d.received_at.slice(0, 10)}`;
    }
    if (d.kind === "identifier") return d.identifier_kind + (d.strong ? "" : " (weak: does not link)");
    if (d.kind === "person") return `in ${d.report}` + (d.age === null ? "" : `, age ${d.age}`);
    return "";
  }

  function expandButton(d) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "graph-expand";
    button.dataset.node = d.id;
    button.append(d.kind === "more" ? "Draw the next reports" : "Add neighbours", hidden(` of ${d.label}`));
    return button;
  }

  function nodeRow(d, fresh) {
    const tr = document.createElement("tr");
    tr.dataset.id = d.id;
    if (fresh) tr.className = "graph-new";
    cell(tr, KINDS[d.kind] || d.kind);
    let name = d.label;
    if (d.kind === "report") name = link(d.url, d.label);
    if (d.kind === "identifier") {
      name = document.createElement("code");
      name.textContent = d.label;
    }
    cell(tr, name);
    cell(tr, details(d));
    const actions = cell(tr, "");
    if (d.expand) actions.append(expandButton(d));
    if (d.graph_url) actions.append(" ", link(d.graph_url, "Centre the graph here"), hidden(` (${d.label})`));
    return tr;
  }

  function edgeRow(d) {
    const tr = document.createElement("tr");
    tr.dataset.id = d.id;
    tr.dataset.source = d.source;
    tr.dataset.target = d.target;
    tr.className = "graph-new";
    [d.source_label, d.target_label, d.label].forEach((text) => cell(tr, text));
    return tr;
  }

  function counts() {
    document.getElementById("graph-node-count").textContent = String(nodes.size);
    document.getElementById("graph-edge-count").textContent = String(edges.size);
  }

  function removeNode(id) {
    if (!nodes.delete(id)) return;
    if (cy) cy.getElementById(id).remove();
    rows.get(id)?.remove();
    rows.delete(id);
    edgeRows.querySelectorAll("tr").forEach((tr) => {
      if (tr.dataset.source === id || tr.dataset.target === id) {
        edges.delete(tr.dataset.id);
        tr.remove();
      }
    });
  }

  function placeNear(id) {
    const anchor = cy && id ? cy.getElementById(id) : null;
    if (!anchor || anchor.empty()) return undefined;
    const { x, y } = anchor.position();
    const angle = Math.random() * 2 * Math.PI;
    return { x: x + 80 * Math.cos(angle), y: y + 80 * Math.sin(angle) };
  }

  /* Add what is new, update what changed (a "+N more" node's count), drop what was replaced. */
  function merge(payload, near) {
    const added = [];
    payload.nodes.forEach(({ data }) => {
      const old = nodes.get(data.id);
      if (old) {
        if (JSON.stringify(old) === JSON.stringify(data)) return;
        nodes.set(data.id, data); // a "+N more" node with its new count and next page
        if (cy) cy.getElementById(data.id).data(data);
        const row = nodeRow(data, false);
        rows.get(data.id)?.replaceWith(row);
        rows.set(data.id, row);
        return;
      }
      nodes.set(data.id, data);
      const row = nodeRow(data, true);
      nodeRows.append(row);
      rows.set(data.id, row);
      added.push({ group: "nodes", data, position: placeNear(near) });
    });
    payload.edges.forEach(({ data }) => {
      if (edges.has(data.id)) return;
      edges.add(data.id);
      edgeRows.append(edgeRow(data));
      added.push({ group: "edges", data });
    });
    (payload.remove || []).forEach(removeNode);
    if (cy && added.length) {
      cy.add(added);
      layout(false);
    }
    counts();
    return added.filter((el) => el.group === "nodes").length;
  }

  function layout(fresh) {
    cy.layout({
      name: "cose", animate: false, randomize: fresh, fit: true, padding: 30,
      nodeDimensionsIncludeLabels: true,
    }).run();
  }

  function select(id) {
    const d = nodes.get(id);
    selected.textContent = "";
    if (!d) return;
    selected.append(`Selected: ${KINDS[d.kind] || d.kind} ${d.label}. `);
    if (d.url) selected.append(link(d.url, "Open the report"), " ");
    if (d.graph_url) selected.append(link(d.graph_url, "Centre the graph here"));
  }

  function expand(id) {
    const d = nodes.get(id);
    if (!d || !d.expand) return;
    if (asked.has(d.expand)) {
      say(`${d.label}: its neighbours are already drawn.`);
      return;
    }
    asked.add(d.expand);
    say(`Fetching the neighbours of ${d.label}…`);
    fetch(d.expand, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then((payload) => {
        const count = merge(payload, id);
        say(`${d.label}: ${count} node${count === 1 ? "" : "s"} added.`);
      })
      .catch(() => {
        asked.delete(d.expand);
        say(`Could not fetch the neighbours of ${d.label}. Reload the page and try again.`);
      });
  }

  // The page already lists the initial graph; only the bookkeeping and the picture are built.
  initial.nodes.forEach(({ data }) => nodes.set(data.id, data));
  initial.edges.forEach(({ data }) => edges.add(data.id));
  nodeRows.querySelectorAll("tr[data-id]").forEach((tr) => rows.set(tr.dataset.id, tr));
  if (window.cytoscape) {
    cy = window.cytoscape({
      container: document.getElementById("graph-canvas"),
      elements: { nodes: initial.nodes, edges: initial.edges },
      style: STYLE,
      minZoom: 0.1,
      maxZoom: 4,
    });
    if (initial.centre) cy.getElementById(initial.centre).addClass("centre");
    layout(true);
    cy.on("tap", "node", (event) => {
      select(event.target.id());
      expand(event.target.id());
    });
  }
  document.addEventListener("click", (event) => {
    const button = event.target.closest?.("button.graph-expand");
    if (button) expand(button.dataset.node);
  });
  document.querySelectorAll("button.graph-expand").forEach((button) => { button.hidden = false; });
})();
