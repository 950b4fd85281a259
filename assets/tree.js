/* The KPI tree in the browser: a click on a node opens, folds or chooses it at once, and every click counts; the
   graph stays fitted to its canvas when the canvas changes size (the server sizes the canvas to the drawn tree; a
   window resized), and a node chosen in the tree's outline (a button, so the keyboard and a screen reader reach it)
   is chosen as a click on the graph chooses it. */
(function () {
  const GRAPH = "tree-graph";
  const PADDING = 16;  // as the graph's layout in pages/tree.py

  function graph() {
    // dash-cytoscape keeps the instance it draws last in window.cy: use it only when it draws this page's graph
    const el = document.getElementById(GRAPH);
    const cy = window.cy;
    return el && cy && !cy.destroyed() && el.contains(cy.container()) ? cy : null;
  }

  function refit() {
    const cy = graph();
    if (cy) { cy.resize(); cy.fit(undefined, PADDING); }
    return !!cy;
  }

  function keepFitted(tries) {
    // now, then whenever the canvas changes size
    const el = document.getElementById(GRAPH);
    if (!el) { return; }
    if (!refit()) {  // the graph's library may still be arriving: look again shortly
      if (tries > 0) { setTimeout(function () { keepFitted(tries - 1); }, 200); }
      return;
    }
    if (!el.huddleFitted) {
      el.huddleFitted = new ResizeObserver(refit);
      el.huddleFitted.observe(el);
    }
  }

  // What the page's stores hold: the open nodes and the chosen one. A click works from here and writes both stores
  // itself, rather than through a callback on the graph's last click: the page answers clicks in turn, so clicks
  // that come faster than it answers (a double click on a busy tablet) were merged into the last one, and lost.
  const shown = {expanded: null, selected: null};

  function clicked(id, data) {
    // a click on the chosen node opens or folds it; a click on another chooses it (opening it when folded)
    const expanded = shown.expanded;
    let nodes = (expanded && expanded.nodes) ? expanded.nodes.slice() : [];
    if (id !== shown.selected) {
      if (data.folded && nodes.indexOf(id) < 0) { nodes.push(id); }
    } else if (data.opens) {
      nodes = nodes.indexOf(id) < 0 ? nodes.concat([id]) : nodes.filter(function (n) { return n !== id; });
    }
    nodes.sort();
    shown.expanded = {view: expanded ? expanded.view : null, nodes: nodes};
    shown.selected = id;
    window.dash_clientside.set_props("tree-expanded", {data: shown.expanded});
    window.dash_clientside.set_props("tree-selected", {data: id});
  }

  function listen(tries) {
    // once per graph drawn: the graph's library may still be arriving, so look again shortly
    const cy = graph();
    if (!cy) {
      if (tries > 0) { setTimeout(function () { listen(tries - 1); }, 200); }
      return;
    }
    if (cy.huddleClicks) { return; }
    cy.huddleClicks = true;
    cy.on("tap", "node", function (event) {
      const node = event.target;
      if (window.dash_clientside && window.dash_clientside.set_props) { clicked(node.id(), node.data()); }
    });
  }

  let pressed = null;  // the outline's node last chosen with the focus on it

  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest(".tree-outline button[data-node]");
    if (button && window.dash_clientside && window.dash_clientside.set_props) {
      pressed = button.getAttribute("data-node");
      window.dash_clientside.set_props("tree-selected", {data: pressed});
    }
  });

  // the server redraws the outline to mark the chosen node: the focus stays on that node's button, where the
  // keyboard left it, rather than falling back to the top of the page
  new MutationObserver(function () {
    if (!pressed || (document.activeElement && document.activeElement !== document.body)) { return; }
    const again = document.querySelector('.tree-outline button[data-node="' + CSS.escape(pressed) + '"]');
    if (again) { again.focus(); }
  }).observe(document.documentElement, {childList: true, subtree: true});
  document.addEventListener("focusout", function (event) {
    // the focus leaving the outline for another control: stop bringing it back
    if (event.relatedTarget && !event.relatedTarget.closest(".tree-outline")) { pressed = null; }
  });

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tree: {
      remember: function (expanded, selected) {
        // the stores changed (a click, the server's drawing, another view): clicks work from what they now hold
        shown.expanded = expanded;
        shown.selected = selected;
        listen(50);
        return window.dash_clientside.no_update;
      },
      fitted: function (style) {
        // the server sized the canvas to the drawn tree: fit the tree to it (only when the size changed, so a
        // node chosen does not undo the reader's own zoom)
        const el = document.getElementById(GRAPH);
        const height = style && style.height;
        if (el && el.huddleHeight !== height) {
          el.huddleHeight = height;
          keepFitted(50);  // now, so a node is where it stays before anyone can click it
          setTimeout(refit, 150);  // and once the graph's own layout has run
        }
        return window.dash_clientside.no_update;
      }
    }
  });
})();
