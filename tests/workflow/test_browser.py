"""The HTML report as a reader meets it: opened from disk in headless Chromium, offline.

Uses Debian's `chromium` and `chromium-driver` (apt-get install -y chromium chromium-driver);
no test tool downloads a browser or a driver. Without them the tests skip, except in CI
(CI=true), where a missing browser is a broken install and fails.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import TESTS

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = TESTS / "artifacts"
PHONE, DESKTOP = 375, 1280
MIN_FONT_PX = 12
MIN_CONTRAST = 4.5  # WCAG AA for normal text; we ask it of headings too


def _no_browser(reason: str):
    reason += " (install with: apt-get install -y chromium chromium-driver)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)  # in CI a broken install must not pass as a skip
    pytest.skip(reason)


@pytest.fixture(scope="module")
def html_file(request) -> Path:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            _no_browser(f"{path} not found")
    # TOMAS_BROWSER_HTML: check an already built file instead (quick runs while editing CSS).
    if os.environ.get("TOMAS_BROWSER_HTML"):
        return Path(os.environ["TOMAS_BROWSER_HTML"]).resolve()
    return request.getfixturevalue("built_repo") / "report" / "_output" / "tomas.html"


@pytest.fixture(scope="module")
def driver(html_file, tmp_path_factory):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _no_browser("selenium is not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--hide-scrollbars",
                 # Chrome ignores fragment navigations beyond 200 in 10 s; the link test clicks one per
                 # target (206 in the report), far faster than a reader.
                 "--disable-ipc-flooding-protection",
                 # No network: names resolve to nothing and any proxy-able request dies on a closed port.
                 "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # An explicit driver path: Selenium Manager is never asked to fetch one.
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(60)
    yield browser
    browser.quit()


def open_page(driver, html_file: Path, width: int = DESKTOP, height: int = 900):
    """Load the file at a given viewport (phone widths emulate a touch device)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    driver.get(html_file.as_uri())
    driver.execute_script("return document.fonts.ready")
    return driver


def js(driver, script: str, *args):
    return driver.execute_script(script, *args)


# ---------------------------------------------------------------- loading

def test_no_console_errors(driver, html_file):
    driver.get_log("browser")  # drop what an earlier page logged
    open_page(driver, html_file)
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not severe, severe


def test_nothing_is_fetched_from_outside_the_file(driver, html_file):
    driver.get_log("performance")
    open_page(driver, html_file)
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    outside = [u for u in urls if not (u.startswith("data:") or u == html_file.as_uri())]
    assert not outside, f"the self-contained report requests {outside}"


# ---------------------------------------------------------------- figures

FIGURES_JS = """
const out = [];
for (const el of document.querySelectorAll('img, svg')) {
  if (el.tagName.toLowerCase() === 'svg' && el.parentElement.closest('svg')) continue;
  const box = el.getBoundingClientRect();
  out.push({
    tag: el.tagName.toLowerCase(),
    id: (el.closest('[id^="fig-"]') || {}).id || null,
    alt: el.getAttribute('alt') || el.getAttribute('aria-label') || '',
    role: el.getAttribute('role'),
    loaded: el.tagName.toLowerCase() === 'img' ? el.complete && el.naturalWidth > 0 : true,
    width: box.width, height: box.height,
  });
}
return out;
"""


def test_every_figure_loads_and_has_alt_text(driver, html_file):
    figures = js(open_page(driver, html_file), FIGURES_JS)
    assert figures, "the report shows no figure"
    for fig in figures:
        where = fig["id"] or fig["tag"]
        assert fig["loaded"], f"{where}: image did not load"
        assert fig["width"] > 0 and fig["height"] > 0, f"{where}: rendered with no size"
        assert len(fig["alt"].strip()) >= 10, f"{where}: no alt text"
        if fig["tag"] == "svg":
            assert fig["role"] == "img", f"{where}: inline SVG needs role=img with its aria-label"


def test_provenance_note_under_each_figure(driver, html_file):
    # A figure's note is the next block after it (a caption may sit between in some writers).
    missing = js(open_page(driver, html_file), """
      const missing = [];
      for (const fig of document.querySelectorAll('figure, [id^="fig-"]')) {
        if (fig.parentElement.closest('figure, [id^="fig-"]')) continue;
        let next = fig.nextElementSibling, found = false;
        for (let i = 0; next && i < 2; i++, next = next.nextElementSibling) {
          if (next.matches('.provenance') || next.querySelector('.provenance')) { found = true; break; }
        }
        if (!found) missing.push(fig.id || fig.outerHTML.slice(0, 80));
      }
      return missing;""")
    assert not missing, f"figures without a provenance note right below: {missing}"
    notes = js(driver, "return [...document.querySelectorAll('.provenance')].map(n => n.innerText)")
    assert all("Provenance" in n and "sha256" in n for n in notes), notes
    # Markdown escapes inside `code` are shown literally: a reader should not see them.
    shown = [n for n in notes if re.search(r"\\[_*`#\[\]]", n)]
    assert not shown, f"provenance notes show markdown escapes: {shown}"


# ---------------------------------------------------------------- links

def test_table_of_contents_present(driver, html_file):
    toc = js(open_page(driver, html_file), "return [...document.querySelectorAll('nav#TOC a')].length")
    assert toc >= 6, "the table of contents lists fewer entries than the paper has chapters"


def test_every_in_page_link_lands_on_its_target(driver, html_file):
    open_page(driver, html_file)
    links = js(driver, """return [...document.querySelectorAll('a[href^="#"]')]
                            .map(a => a.getAttribute('href'))""")
    assert any(h.startswith("#fig-") for h in links), "no cross-reference to a figure"
    broken, unseen = [], []
    for href in dict.fromkeys(links):  # each target once, in page order
        target = href[1:]
        exists = js(driver, "return document.getElementById(arguments[0]) !== null", target)
        if not exists:
            broken.append(href)
            continue
        # Click the first link to it as a reader would, then ask where the target sits.
        top = js(driver, """
          const a = [...document.querySelectorAll('a')].find(a => a.getAttribute('href') === arguments[0]);
          a.click();
          const r = document.getElementById(arguments[0].slice(1)).getBoundingClientRect();
          return [r.top, r.bottom, window.innerHeight];""", href)
        if not (top[1] > 0 and top[0] < top[2]):
            unseen.append(href)
    assert not broken, f"links to ids that do not exist: {broken}"
    assert not unseen, f"links whose target is not in view after clicking: {unseen}"


# ---------------------------------------------------------------- layout

LAYOUT_JS = """
const doc = document.documentElement;
const small = new Set();
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  const el = n.parentElement;
  if (!n.textContent.trim() || el.closest('svg, script, style')) continue;
  const size = parseFloat(getComputedStyle(el).fontSize);
  if (size < arguments[0] && el.getClientRects().length) small.add(el.tagName + '.' + el.className + ' ' + size + 'px');
}
return {scroll: doc.scrollWidth, client: doc.clientWidth, bodyOverflow: getComputedStyle(document.body).overflowX,
        small: [...small]};
"""


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_usable_at_phone_and_desktop_width(driver, html_file, width):
    page = js(open_page(driver, html_file, width), LAYOUT_JS, MIN_FONT_PX)
    assert page["bodyOverflow"] != "hidden", "horizontal overflow hidden instead of fixed"
    assert page["scroll"] <= page["client"], f"page scrolls sideways at {width}px: {page['scroll']}px wide"
    assert not page["small"], f"text below {MIN_FONT_PX}px at {width}px: {page['small']}"


def test_save_screenshots(driver, html_file):
    ARTIFACTS.mkdir(exist_ok=True)
    for name, width in (("first-screen-phone.png", PHONE), ("first-screen-desktop.png", DESKTOP)):
        open_page(driver, html_file, width, height=800 if width > 600 else 740)
        assert driver.save_screenshot(str(ARTIFACTS / name))
    from selenium.webdriver.common.by import By

    figure = driver.find_element(By.CSS_SELECTOR, "figure, [id^='fig-']")
    js(driver, "arguments[0].scrollIntoView()", figure)
    (ARTIFACTS / "figure.png").write_bytes(figure.screenshot_as_png)
    for name in ("first-screen-phone.png", "first-screen-desktop.png", "figure.png"):
        assert (ARTIFACTS / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- accessibility

def test_html_has_a_language(driver, html_file):
    lang = js(open_page(driver, html_file), "return document.documentElement.lang")
    assert lang and lang.split("-")[0].isalpha() and len(lang.split("-")[0]) == 2, repr(lang)


def test_headings_skip_no_level(driver, html_file):
    headings = js(open_page(driver, html_file), """
      return [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
        .map(h => [Number(h.tagName[1]), h.innerText.trim().slice(0, 60)]);""")
    assert headings and headings[0][0] == 1, f"the page does not start with an h1: {headings[:1]}"
    skips = [(prev, cur) for prev, cur in zip(headings, headings[1:]) if cur[0] > prev[0] + 1]
    assert not skips, f"heading levels skipped (from, to): {skips}"


# WCAG 2.x relative luminance and contrast ratio, from computed colours; a translucent
# background is blended onto its parent's until an opaque one (the page is white by default).
CONTRAST_JS = """
function rgba(s) { const m = s.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; }
function over(top, under) { const a = top[3]; return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat(1); }
function background(el) {
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) layers.push(c);
    if (c[3] >= 1) break;
  }
  return layers.reduceRight((under, top) => over(top, under), [255, 255, 255, 1]);
}
function lum(c) {
  const [r, g, b] = c.slice(0, 3).map(v => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const seen = new Map();
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  const el = n.parentElement;
  if (!n.textContent.trim() || el.closest('svg, script, style') || !el.getClientRects().length) continue;
  const bg = background(el);
  const fg = over(rgba(getComputedStyle(el).color), bg);
  const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
  const ratio = (hi + 0.05) / (lo + 0.05);
  const key = el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' ' + getComputedStyle(el).color;
  if (!seen.has(key) || seen.get(key)[0] > ratio) seen.set(key, [ratio, n.textContent.trim().slice(0, 40)]);
}
return [...seen].map(([k, v]) => [k, Math.round(v[0] * 100) / 100, v[1]]);
"""


def test_text_contrast_meets_wcag_aa(driver, html_file):
    ratios = js(open_page(driver, html_file), CONTRAST_JS)
    assert ratios, "no text found"
    kinds = {r[0].split(" ")[0].split(".")[0] for r in ratios}
    assert {"p", "a", "h1"} <= kinds, f"contrast check did not see body text, links and headings: {kinds}"
    low = [r for r in ratios if r[1] < MIN_CONTRAST]
    assert not low, f"text below {MIN_CONTRAST}:1 contrast (element colour, ratio, text): {low}"


def test_images_and_links_have_text_alternatives(driver, html_file):
    problems = js(open_page(driver, html_file), """
      const bad = [];
      for (const img of document.querySelectorAll('img'))
        if (!(img.getAttribute('alt') || img.getAttribute('aria-label') || '').trim()
            && img.getAttribute('role') !== 'presentation')
          bad.push('img ' + (img.src || '').slice(0, 40));
      // Links hidden from assistive technology (Pandoc's code-line anchors) need no name.
      for (const a of document.querySelectorAll('a:not([aria-hidden="true"])'))
        if (!a.innerText.trim() && !a.getAttribute('aria-label') && !a.querySelector('img[alt]'))
          bad.push('empty link ' + a.getAttribute('href'));
      return bad;""")
    assert not problems, problems


# ---------------------------------------------------------------- reading a long report

def _deep_section(driver) -> str:
    """The id of a section about two thirds down the page."""
    return js(driver, """
const ids = [...document.querySelectorAll('nav#TOC a[href^="#"]')].map(a => a.getAttribute('href').slice(1));
return ids[Math.floor(ids.length * 2 / 3)];""")


def test_contents_stay_in_view_and_mark_where_the_reader_is(driver, html_file):
    open_page(driver, html_file, DESKTOP)
    target = _deep_section(driver)
    js(driver, "document.getElementById(arguments[0]).scrollIntoView()", target)
    import time

    time.sleep(0.5)  # the IntersectionObserver reports on the next frames
    state = js(driver, """
const toc = document.getElementById('TOC').getBoundingClientRect();
const cur = document.querySelector('nav#TOC a[aria-current]');
return {top: toc.top, bottom: toc.bottom, height: innerHeight, scrolled: scrollY,
        current: cur && cur.getAttribute('href').slice(1)};""")
    assert state["scrolled"] > 2000, state
    assert 0 <= state["top"] < state["height"], f"the contents scrolled out of view: {state}"
    assert state["current"] == target, state
    ARTIFACTS.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(ARTIFACTS / "contents-desktop.png"))


def test_headings_have_anchors_to_link_to(driver, html_file):
    open_page(driver, html_file, DESKTOP)
    found = js(driver, """
return [...document.querySelectorAll('h1[id], h2[id], h3[id]')].map(h =>
  [h.id, (h.querySelector('a.anchor') || {}).hash || null]);""")
    assert len(found) > 10
    assert all(anchor == "#" + sid for sid, anchor in found), [f for f in found if f[1] != "#" + f[0]][:5]


@pytest.mark.parametrize("kind", ["ref", "fig", "tbl"])
def test_citations_and_cross_references_preview_on_hover(driver, html_file, kind):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    open_page(driver, html_file, DESKTOP)
    links = [a for a in driver.find_elements(By.CSS_SELECTOR, f'a[href^="#{kind}-"]')
             if not js(driver, "return !!arguments[0].closest('nav#TOC')", a)]
    assert links, f"no {kind} link in the report"
    link = links[0]
    js(driver, "arguments[0].scrollIntoView({block: 'center'})", link)
    ActionChains(driver).move_to_element(link).perform()
    tip = driver.find_element(By.CSS_SELECTOR, ".tomas-preview")
    assert tip.is_displayed(), f"no preview for {link.get_attribute('href')}"
    target = js(driver, "return document.getElementById(decodeURIComponent(arguments[0].hash.slice(1)))"
                        ".textContent.replace(/\\s+/g, ' ').trim()", link)
    assert tip.text and tip.text[:40].rstrip("…") in target
    assert link.get_attribute("aria-describedby") == "tomas-preview"
    ActionChains(driver).move_by_offset(0, 300).perform()
    assert not tip.is_displayed()


def test_on_a_phone_wide_tables_scroll_inside_their_box(driver, html_file):
    open_page(driver, html_file, PHONE)
    tables = js(driver, """
return [...document.querySelectorAll('table')].map(t => ({wide: t.scrollWidth > t.clientWidth + 1,
  overflow: getComputedStyle(t).overflowX, right: t.getBoundingClientRect().right}));""")
    wide = [t for t in tables if t["wide"]]
    assert wide, "no table is wider than a phone: the check would prove nothing"
    assert all(t["overflow"] in ("auto", "scroll") for t in wide)
    assert all(t["right"] <= PHONE + 1 for t in tables), "a table widens the page"


def test_print_stylesheet(driver, html_file):
    open_page(driver, html_file, DESKTOP)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        printed = js(driver, """
const s = el => el && getComputedStyle(el);
return {toc: s(document.getElementById('TOC')).display, table: s(document.querySelector('table')).display,
        head: s(document.querySelector('thead')).display,
        link: getComputedStyle(document.querySelector('a[href^="http"]'), '::after').content};""")
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert printed["toc"] == "none" and printed["table"] == "table"
    assert printed["head"] == "table-header-group", "header rows must repeat on each printed page"
    assert "attr(href)" in printed["link"] or "http" in printed["link"], printed
