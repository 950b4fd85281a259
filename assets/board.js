/* Huddle helpers that run in the browser: ages that keep counting between refreshes, pages keeping their view in
   the address, the kiosk look, the huddle timer, and a full reload every few hours so a wall TV's memory stays flat. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  huddle: {
    ages: function (_n, key, idList, words) {
      // the plant's words, from the page (pages/board.py, age_words); {n} is the number
      const w = words || {none: "no data yet", now: "updated just now", min: "updated {n} min ago",
                          h: "updated {n} h ago", days: "updated {n} days ago"};
      // the board's key ends with how many seconds the server's clock runs ahead of the real one
      const ahead = Number(String(key || "").split("|").pop()) || 0;
      const now = Date.now() + ahead * 1000;
      return (idList || []).map(function (id) {
        const at = Date.parse(String(id.index).split("|")[0]);
        if (isNaN(at)) { return w.none; }
        const s = Math.max(0, (now - at) / 1000);
        if (s < 90) { return w.now; }
        if (s < 5400) { return w.min.replace("{n}", Math.round(s / 60)); }
        if (s < 129600) { return w.h.replace("{n}", Math.round(s / 3600)); }
        return w.days.replace("{n}", Math.round(s / 86400));
      });
    },
    // The address of a page that keeps its view in the URL (tree, review, OKRs): the page's path, the site when
    // several are served, kiosk on a TV, and the view's values of exactly the names in spec.names; replaced in place (no reload,
    // no history entry) while that page is shown. The server writes spec (dashboard/web/address.py,
    // keep_address_js: the path, the site's parameter and the fields of the page's address class), so this writes
    // only what address.py reads.
    keepAddress: function (spec, values) {
      const q = new URLSearchParams();
      const current = new URLSearchParams(window.location.search);
      const site = current.get(spec.site);
      if (site) { q.set(spec.site, site); }
      // a TV stays a TV on every page: kiosk is no page's own view, and rootClass reads it from the address
      const kiosk = current.get("kiosk");
      if (kiosk) { q.set("kiosk", kiosk); }
      spec.names.forEach(function (k) { if (values[k]) { q.set(k, values[k]); } });
      const next = spec.path + (q.toString() ? "?" + q.toString() : "");
      if (window.location.pathname === spec.path && next !== window.location.pathname + window.location.search) {
        window.history.replaceState(null, "", next);
      }
      return next;
    },
    // kiosk=1 (or true, yes) is the board address's kiosk parameter (address.py, BoardAddress.kiosk and YES): a TV
    rootClass: function (pathname, search) {
      const kiosk = /(^|[?&])kiosk=(1|true|yes)(&|$)/.test(search || "");
      return kiosk ? "app kiosk" : "app";
    }
  }
});

(function () {
  const RELOAD_MS = 4 * 3600 * 1000;
  if (/(^|[?&])kiosk=(1|true|yes)(&|$)/.test(window.location.search)) {
    window.setTimeout(function () { window.location.reload(); }, RELOAD_MS);
  }
  const started = Date.now();
  window.setInterval(function () {
    const el = document.getElementById("board-timer");
    if (!el) { return; }
    const minutes = parseInt(el.getAttribute("data-minutes") || "0", 10);
    if (!minutes) { el.textContent = ""; return; }
    const left = Math.round(minutes * 60 - (Date.now() - started) / 1000);
    const m = Math.floor(Math.abs(left) / 60), s = Math.abs(left) % 60;
    const words = el.getAttribute(left < 0 ? "data-over" : "data-running") || "Huddle {time}";
    el.textContent = words.replace("{time}", m + ":" + String(s).padStart(2, "0"));
    el.className = "huddle-timer" + (left < 0 ? " over" : left < 60 ? " ending" : "");
  }, 1000);
})();
