/* Mends the markup of Dash's own controls where it breaks a WCAG rule that no property of the component reaches
   (tests/e2e/test_accessibility_browser.py runs axe-core over every page to hold this):
   - dcc.Dropdown's Tab stop is a hidden input marked aria-hidden that hands focus on to the dropdown's button (for
     Safari): the button itself becomes the Tab stop, which screen readers name, and the hidden input leaves the order;
   - its open list, dcc.RadioItems and dcc.Checklist are drawn as a listbox whose options are labels holding radio
     buttons or check boxes (a control inside a control): each becomes a group of labelled radio buttons or check
     boxes, as HTML has them (the keys move between them as before), and the dropdown's button says it opens a
     dialog, which the open list sits in;
   - dcc.DatePickerSingle says whether a plain box is expanded: the box becomes a group, which may say so;
   - the events table's page buttons (dash_table) are icons without words: each is named.
   Dash draws these controls again when their values change, so the page is watched and mended again.
   And a table (or its box) that scrolls sideways, as on a phone, is a Tab stop while it scrolls, so the arrow keys
   scroll it; one that fits is not, so the keyboard does not stop on it for nothing. */
(function () {
  const PAGE_BUTTONS = {
    "first-page": "First page", "previous-page": "Previous page", "next-page": "Next page", "last-page": "Last page",
  };

  function mend(root) {
    root.querySelectorAll(".dash-dropdown-focus-target").forEach(function (el) {
      const button = el.nextElementSibling;
      if (el.tabIndex !== -1) { el.tabIndex = -1; }
      if (button && button.tagName === "BUTTON") {
        if (button.tabIndex !== 0) { button.tabIndex = 0; }
        if (button.getAttribute("aria-haspopup") !== "dialog") { button.setAttribute("aria-haspopup", "dialog"); }
      }
    });
    root.querySelectorAll(".dash-options-list[role='listbox']").forEach(function (el) {
      el.setAttribute("role", el.querySelector("input[type='checkbox']") ? "group" : "radiogroup");
    });
    root.querySelectorAll(".dash-options-list label[role], .dash-options-list label[aria-selected]").forEach(function (el) {
      el.removeAttribute("role");
      el.removeAttribute("aria-selected");
    });
    root.querySelectorAll(".dash-datepicker-input-wrapper:not([role])").forEach(function (el) {
      el.setAttribute("role", "group");
    });
    root.querySelectorAll(".previous-next-container button:not([aria-label])").forEach(function (el) {
      const name = PAGE_BUTTONS[Array.from(el.classList).find(function (c) { return PAGE_BUTTONS[c]; })];
      if (name) { el.setAttribute("aria-label", name); }
    });
  }

  function reachWhileScrolling(root) {
    root.querySelectorAll("table.grid, .table-wrap").forEach(function (el) {
      const scrolls = el.scrollWidth > el.clientWidth && ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
      if (scrolls && !el.hasAttribute("tabindex")) {
        el.tabIndex = 0;
        el.dataset.scrollStop = "1";
      } else if (!scrolls && el.dataset.scrollStop) {
        el.removeAttribute("tabindex");
        delete el.dataset.scrollStop;
      }
    });
  }

  function watch() {
    mend(document);
    reachWhileScrolling(document);
    window.addEventListener("resize", function () { reachWhileScrolling(document); });
    // once a frame at most: measuring every table's width after each of Dash's many small updates took a quarter
    // of a second on the OKR page of a big plant
    let queued = false;
    function again() {
      if (queued) { return; }
      queued = true;
      window.requestAnimationFrame(function () { queued = false; mend(document); reachWhileScrolling(document); });
    }
    new MutationObserver(again).observe(document.body, {
      subtree: true, childList: true, attributes: true, attributeFilter: ["role", "aria-selected", "aria-haspopup", "tabindex"],
    });
  }

  if (document.body) { watch(); } else { document.addEventListener("DOMContentLoaded", watch); }
})();
