/* The OKR page in the browser. Its objectives and its check-in rows arrive as HTML the browser puts in place
   (dashboard/web/html_pane.py): a quarter of a big plant is some 9,000 elements of objectives and 330 check-in rows,
   which as Dash components kept the browser busy for seconds (the rows' 2,000 pattern-matched controls, 11-15 s).
   So this script does what their callbacks did:
   - pressing a key result's title (a click, or Enter or Space with the focus on it) picks that key result in the
     history below and brings the history into view, with the focus;
   - pressing a check-in row's Save sends the row's entries, with the number of check-ins the row has seen, to the
     server (the store okr-ci-submit; rows saved at the same moment go one after the other), and the server's answer (okr-ci-result: its words, escaped there, and the
     count the row has now seen) is put in the row. */
(function () {
  const PICK = "okr-history-pick";
  const HISTORY = "okr-history";
  const SUBMIT = "okr-ci-submit";
  const SPACING_MS = 150;  // two rows' entries set in the same moment would be one request: the first lost
  let sent = 0;
  let nextAt = 0;  // when the next row's entries may go

  function send(entries) {
    const wait = Math.max(0, nextAt - Date.now());
    nextAt = Date.now() + wait + SPACING_MS;
    setTimeout(function () { window.dash_clientside.set_props(SUBMIT, {data: entries}); }, wait);
  }

  function number(row, selector) {
    const box = row.querySelector(selector);
    if (!box || box.value.trim() === "") { return null; }
    const value = Number(box.value);
    return Number.isFinite(value) ? value : box.value;  // not a number: the server says so
  }

  function text(row, selector) {
    const box = row.querySelector(selector);
    return box ? box.value : "";
  }

  function showHistory(button) {
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
  }

  function checkIn(button) {
    const row = button.closest(".okr-ci-row[data-kr]");
    const kr = row && Number(row.getAttribute("data-kr"));
    if (!Number.isInteger(kr)) { return; }
    sent += 1;
    send({
      kr: kr, seen: Number(row.getAttribute("data-seen")) || 0, value: number(row, ".okr-ci-value"),
      confidence: number(row, ".okr-ci-confidence"), moved: text(row, ".okr-ci-moved"),
      blocks: text(row, ".okr-ci-blocks"), at: sent,  // two saves of the same entries are two saves
    });
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest || !(window.dash_clientside && window.dash_clientside.set_props)) { return; }
    const title = event.target.closest("#okr-objectives button.okr-kr[data-kr]");
    if (title) { showHistory(title); return; }
    const save = event.target.closest("#okr-checkin-rows button.okr-ci-save");
    if (save) { checkIn(save); }
  });

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.okr = {
    answered: function (answer) {
      if (!answer || !Number.isInteger(answer.kr)) { return; }
      const row = document.querySelector('#okr-checkin-rows .okr-ci-row[data-kr="' + answer.kr + '"]');
      if (!row) { return; }
      if (Number.isInteger(answer.seen)) { row.setAttribute("data-seen", String(answer.seen)); }
      const said = row.querySelector(".form-message");
      if (said) { said.innerHTML = answer.message || ""; }  // written and escaped by the server
    },
  };
})();
