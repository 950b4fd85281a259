/* Huddle mode in the browser: one agenda segment at a time (Previous / Next, the arrow keys, Page Up / Page Down
   as a presenter's clicker sends them), and the timer of the huddle and of each segment's share of it, on the
   browser's clock (window.huddleClock, when a test sets one, else Date.now()). The server draws the agenda once. */
(function () {
  const now = function () { return window.huddleClock ? window.huddleClock() : Date.now(); };
  const clock = function (seconds) {
    const s = Math.max(0, Math.round(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  };
  const fill = function (words, values) {
    return Object.keys(values).reduce(function (text, key) { return text.split("{" + key + "}").join(values[key]); },
                                      words || "");
  };
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    huddle_meeting: {
      move: function (_prev, _next, state, nav, segmentIds, words) {
        const count = (segmentIds || []).length;
        const trigger = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || "";
        let at = nav && state && nav.started === state.started ? nav : null;
        if (!at || trigger.indexOf("huddle-state") === 0) {
          at = {segment: 0, entered: now(), t0: now(), started: state ? state.started : null};
        } else {
          const step = trigger.indexOf("huddle-next") === 0 ? 1 : trigger.indexOf("huddle-prev") === 0 ? -1 : 0;
          const segment = Math.min(Math.max(at.segment + step, 0), Math.max(count - 1, 0));
          if (segment !== at.segment) { at = Object.assign({}, at, {segment: segment, entered: now()}); }
        }
        const hidden = (segmentIds || []).map(function (_id, n) { return n !== at.segment; });
        const said = count ? fill((words || {}).step, {n: at.segment + 1, of: count}) : "";
        return [at, hidden, said];
      },
      tick: function (_n, nav, state, words) {
        if (!state || !nav || !state.titles || !state.titles.length) { return ["", "huddle-clock"]; }
        words = words || {};
        const total = (state.minutes || 15) * 60;
        const share = total / state.titles.length;
        const inHuddle = (now() - nav.t0) / 1000, inSegment = (now() - nav.entered) / 1000;
        const title = state.titles[nav.segment] || "";
        const segment = inSegment > share
          ? fill(words.segment_over, {segment: title, over: clock(inSegment - share), share: clock(share)})
          : fill(words.segment, {segment: title, time: clock(inSegment), share: clock(share)});
        const huddle = inHuddle > total
          ? fill(words.huddle_over, {over: clock(inHuddle - total)})
          : fill(words.huddle, {time: clock(inHuddle), total: clock(total)});
        const over = inHuddle > total ? " over" : inSegment > share ? " segment-over" : "";
        return [segment + " · " + huddle, "huddle-clock" + over];
      },
      leave: function () { return [true, true]; }
    }
  });
  document.addEventListener("keydown", function (event) {
    const panel = document.getElementById("huddle-panel");
    if (!panel || panel.hidden) { return; }
    const tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
    const next = ["ArrowRight", "PageDown"].indexOf(event.key) >= 0;
    const prev = ["ArrowLeft", "PageUp"].indexOf(event.key) >= 0;
    if (next || prev) {
      const button = document.getElementById(next ? "huddle-next" : "huddle-prev");
      if (button) { event.preventDefault(); button.click(); }
    }
  });
})();
