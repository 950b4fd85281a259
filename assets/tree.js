/* The KPI tree in the browser: the graph stays fitted to its canvas when the canvas changes size (the server sizes
   the canvas to the drawn tree; a window resized), and a node chosen in the tree's outline (a button, so the
   keyboard and a screen reader reach it) is chosen as a click on the graph chooses it. */
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
