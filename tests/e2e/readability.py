"""What a page looks like from the back of the huddle, measured in the browser: the share of visible characters set
smaller than a size, the text a box clips or lets spill out, and whether the page scrolls.

``viewport(driver, width, height)`` sets the size of the page's window exactly (the browser's own frame aside);
``measure(driver)`` reads the page as shown.
"""

from __future__ import annotations

from typing import Any

#: Every visible text node, weighted by its characters (blanks aside): its font size, whether it lies in the
#: viewport; every box with more inside than it holds (hidden or spilling over what follows); every text that runs
#: out of its box.
MEASURE_JS = r"""
const W = window.innerWidth, H = window.innerHeight, small = arguments[0];
const shown = (el) => el.checkVisibility({opacityProperty: true, visibilityProperty: true});
let total = 0, under = 0; const bySize = {}, smallTexts = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode, el = node.parentElement, chars = node.textContent.replace(/\s+/g, "").length;
  if (!chars || !el || !shown(el)) { continue; }
  const range = document.createRange(); range.selectNodeContents(node);
  const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
  if (!rects.some((r) => r.right > 0 && r.bottom > 0 && r.left < W && r.top < H)) { continue; }
  const size = parseFloat(getComputedStyle(el).fontSize);
  total += chars; bySize[size] = (bySize[size] || 0) + chars;
  if (size < small) { under += chars; smallTexts.push(size + "px: " + node.textContent.trim().slice(0, 40)); }
}
const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
  (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/).join(".") : "");
const clipped = [];
for (const el of document.body.querySelectorAll("*")) {
  if (!shown(el)) { continue; }
  const cs = getComputedStyle(el);
  const wider = el.scrollWidth - el.clientWidth, taller = el.scrollHeight - el.clientHeight;
  if (cs.display === "inline" || !el.clientHeight || (wider <= 1 && taller <= 1)) { continue; }
  const hides = cs.overflowX !== "visible" || cs.overflowY !== "visible";
  clipped.push(name(el) + (hides ? " hides " : " overflows by ") + wider + "×" + taller);
}
// text running out of the box it sits in (a word too long for its cell, a line held on one line)
const walker2 = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker2.nextNode()) {
  const node = walker2.currentNode, el = node.parentElement;
  if (!node.textContent.trim() || !el || !shown(el)) { continue; }
  let box = el; while (box && getComputedStyle(box).display === "inline") { box = box.parentElement; }
  if (!box) { continue; }
  const outer = box.getBoundingClientRect(), range = document.createRange(); range.selectNodeContents(node);
  for (const r of range.getClientRects()) {
    if (r.width && (r.left < outer.left - 1 || r.right > outer.right + 1)) {
      clipped.push(name(box) + " spills: " + node.textContent.trim().slice(0, 40)); break;
    }
  }
}
const doc = document.documentElement;
return {total: total, under: under, share: total ? under / total : 0, bySize: bySize, smallTexts: smallTexts,
        clipped: clipped, scrollWidth: doc.scrollWidth, scrollHeight: doc.scrollHeight, width: W, height: H};
"""


def viewport(driver: Any, width: int, height: int) -> None:
    """Make the page's viewport exactly ``width`` × ``height`` CSS pixels at a pixel ratio of 1."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


def measure(driver: Any, small: float = 24) -> dict[str, Any]:
    """The page as shown: characters in all and under ``small`` px, their sizes, clipped boxes, the page's size."""
    return driver.execute_script(MEASURE_JS, small)


def font_sizes(driver: Any, selector: str) -> list[float]:
    """The computed font size of every visible element ``selector`` finds."""
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].filter((e) => e.checkVisibility())"
        ".map((e) => parseFloat(getComputedStyle(e).fontSize));", selector)
