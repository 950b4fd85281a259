/* A pane whose content arrives as one string of HTML (dashboard/web/html_pane.py): the browser's own parser puts it
   in place, which is many times faster than Dash and React building the same elements one by one. The server
   escaped every text in it; the pane is the element whose id is the store's without its "-html". */
(function () {
  const SUFFIX = "-html";
  const shown = new WeakMap(); // each pane's HTML as last put in place
  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.html_pane = {
    fill: function (html) {
      const context = window.dash_clientside.callback_context;
      const store = context && context.inputs_list && context.inputs_list[0] && context.inputs_list[0].id;
      if (typeof store !== "string" || !store.endsWith(SUFFIX)) { return; }
      const pane = document.getElementById(store.slice(0, -SUFFIX.length));
      const content = typeof html === "string" ? html : "";
      // a refresh that brings the same HTML leaves the pane alone: its scroll, selection and focus stay
      if (pane && shown.get(pane) !== content) {
        pane.innerHTML = content;
        shown.set(pane, content);
      }
    },
  };
})();
