/* The OKR page in the browser: the objectives arrive as HTML the browser puts in place (a quarter of a big plant
   is some 9,000 elements, which Dash would otherwise keep and check one by one; dashboard/web/html_pane.py), so a
   key result's title is a plain button; pressing it (a click, or Enter or Space with the focus on it) picks that key result in the history below
   and brings the history into view, as the history's own picker does. */
(function () {
  const PICK = "okr-history-pick";
  const HISTORY = "okr-history";

  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("#okr-objectives button.okr-kr[data-kr]");
    if (!button || !(window.dash_clientside && window.dash_clientside.set_props)) { return; }
    const kr = Number(button.getAttribute("data-kr"));
    if (!Number.isInteger(kr)) { return; }
    window.dash_clientside.set_props(PICK, {value: kr});
    const history = document.getElementById(HISTORY);
    const card = history && history.closest("section");
    if (card) {
      // the focus follows the view, so the keyboard goes on from the history rather than from the far-away title
      card.setAttribute("tabindex", "-1");
      card.scrollIntoView({block: "start"});
      card.focus({preventScroll: true});
    }
  });
})();
