"""A built site read in Chromium the way a hostile page would be caught: every page loaded
with a dialog handler, every link clicked, the DOM checked against the allow-list.

Clicks are real: a `javascript:` link runs, an `onclick` fires. Navigation that a click
starts is answered with "204 No Content", which leaves the page where it is, so one page
load can click every link on it.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ownbook.render.fields import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, TERM_MARK
from playwright.sync_api import Browser, Dialog, Page, Route

CHROMIUM = os.environ.get("OWNBOOK_CHROMIUM", "/usr/bin/chromium")
# The flags a headless Chromium needs in a container with no network beyond localhost.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MISSING = (
    "no Chromium at {path}: the browser tests need Debian's chromium package. Run `make test` "
    "(it installs it), or `sudo apt-get install chromium`, or set OWNBOOK_CHROMIUM to a "
    "Chromium binary."
)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a site quietly; the theme's assets may be cached by the browser (one page
    after another, as a reader browses), pages are fetched each time."""

    search = True  # False: the search index is answered as an empty one (see serve)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        if not self.path.split("?")[0].endswith((".html", "/", ".json")):
            self.send_header("Cache-Control", "max-age=3600")
        super().end_headers()

    def do_GET(self) -> None:
        if not self.search and self.path.split("?")[0].endswith(SEARCH_INDEX):
            body = json.dumps(_EMPTY_INDEX).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            super().do_GET()


class _NoSearchHandler(QuietHandler):
    search = False


@contextmanager
def serve(folder: Path, search: bool = True) -> Iterator[str]:
    """`folder` over HTTP on localhost; yields the base URL (ending in '/').

    With `search` False the site's search index is answered as an empty one: Material's
    search worker builds its index from it on every page load, which for a 500-activity
    handbook cost 0.75 s of CPU a page (tests/test_browser.py tests search itself). It is
    answered by the server, not by a Playwright route, because a route turns off the
    browser's HTTP cache for its whole context: every page load then fetched the theme's
    CSS and scripts again (a third of each page load of a hostile site's audit)."""
    handler = functools.partial(QuietHandler if search else _NoSearchHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# Run in the page: what in the DOM breaks the rules. Model-text regions are the Markdown
# fields (`.ob-md`, `.ob-md-list`): only allow-listed elements and attributes inside them,
# checked in the page as the browser parses it from the server (the theme's scripts later
# add ids to code blocks); event attributes and URLs are checked in the live page too.
_AUDIT = """
async ([allowedTags, allowedAttrs, termMark]) => {
  const found = [];
  const served = new DOMParser().parseFromString(
    await (await fetch(location.href)).text(), "text/html");
  const safe = new Set(["http:", "https:", "mailto:"]);
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) found.push(`event attribute ${name} on <${el.localName}>`);
      if (["href", "src", "xlink:href", "action", "formaction", "data", "poster"].includes(name)) {
        let url;
        try { url = new URL(attr.value, document.baseURI); } catch (e) { continue; }
        if (!safe.has(url.protocol)) found.push(`${name}=${attr.value} on <${el.localName}>`);
      }
    }
  }
  for (const region of served.querySelectorAll(".ob-md, .ob-md-list")) {
    for (const el of region.querySelectorAll("*")) {
      const tag = el.localName;
      if (!allowedTags.includes(tag)) found.push(`<${tag}> in a Markdown field`);
      const attrs = (allowedAttrs[tag] || []).concat(tag === "a" ? ["rel"] : []);
      for (const attr of el.attributes) {
        if (!attrs.includes(attr.name)) found.push(`${attr.name} on <${tag}> in a Markdown field`);
      }
      // A span is only ever ownbook's glossary mark, with its fixed attribute values.
      for (const [name, value] of tag === "span" ? Object.entries(termMark) : []) {
        if (el.getAttribute(name) !== value) found.push(`${name} of a <span> in a Markdown field`);
      }
    }
  }
  if (document.querySelector("base")) found.push("a <base> element");
  return found;
}
"""

# Run in the page: click every link (HTML and SVG) whose target and behaviour were not
# clicked on an earlier page, one task apart so each runs. Navigations the clicks start
# are cancelled in the page (the Navigation API); `javascript:` URLs are not navigations
# there, so they run, and so do event handlers.
_CLICK_ALL = """
async (seen) => {
  navigation.addEventListener("navigate", e => { if (e.cancelable) e.preventDefault(); });
  const clicked = [];
  for (const a of document.querySelectorAll("a")) {
    const raw = a.getAttribute("href") ?? a.getAttribute("xlink:href") ?? "";
    let target;
    try { target = new URL(raw, document.baseURI).href; } catch (e) { target = raw; }
    const handlers = Array.from(a.attributes).filter(x => x.name.startsWith("on")).length;
    const key = `${target} ${a.getAttribute("target") || ""} ${handlers}`;
    if (seen.includes(key) || clicked.includes(key)) continue;
    clicked.push(key);
    a.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true, view: window}));
    await new Promise(resolve => setTimeout(resolve, 0));
  }
  return clicked;
}
"""


# Run in the page: hover and focus every element with a title or a tooltip (a glossary
# term's too), as a reader's pointer would (Material's tooltips build their content from the
# title: a red-team review found model text there running as HTML on hover).
_HOVER_ALL = """
async () => {
  const found = Array.from(
    document.querySelectorAll("[title], [data-md-tooltip], abbr, .ob-term"));
  if (!found.length) return 0;
  const hover = el => {
    for (const type of ["pointerenter", "mouseenter", "mouseover", "focusin", "focus"]) {
      el.dispatchEvent(new MouseEvent(type, {bubbles: type !== "mouseenter", view: window}));
    }
  };
  // Material mounts a tooltip on the first hover and shows it on the next: twice, then
  // time for what it shows (an image that fails to load, say) to act.
  found.forEach(hover);
  await new Promise(resolve => setTimeout(resolve, 20));
  found.forEach(hover);
  await new Promise(resolve => setTimeout(resolve, 60));
  return found.length;
}
"""


# Material's search index as an empty one, for serve(search=False). The configuration is
# the one ownbook's sites have.
SEARCH_INDEX = "/search/search_index.json"
_EMPTY_INDEX = {
    "config": {
        "lang": ["en"],
        "separator": r"[\s\-]+",
        "pipeline": ["stopWordFilter"],
        "fields": {"title": {"boost": 1000.0}, "text": {"boost": 1.0}, "tags": {"boost": 1e6}},
    },
    "docs": [],
}


def _stay(route: Route) -> None:
    if route.request.is_navigation_request():
        route.fulfill(status=204)
    else:
        route.continue_()


def audit_site(
    browser: Browser, site: Path, only: list[str] | None = None
) -> tuple[list[str], int]:
    """Every page of `site` (or the `only` ones) loaded and audited, and every link clicked
    (once per target and behaviour in the site): (problems found, links clicked). A dialog
    (alert, confirm, prompt) is a problem, on the page or in a window a link opened."""
    problems: list[str] = []
    clicked = 0
    pages = only or sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    allowed = [
        sorted(ALLOWED_TAGS),
        {k: sorted(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        TERM_MARK,
    ]
    with serve(site, search=False) as base:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        current = [""]
        seen: list[str] = []

        def on_dialog(dialog: Dialog) -> None:
            problems.append(f"{current[0]}: a dialog opened: {dialog.message}")
            dialog.dismiss()

        def on_popup(popup: Page) -> None:  # a link with a target: its page is checked too
            popup.on("dialog", on_dialog)

        page.on("dialog", on_dialog)
        # A script that fails (the theme's, when a page takes an id it relies on) is found.
        page.on("pageerror", lambda error: problems.append(f"{current[0]}: page error: {error}"))
        context.on("page", on_popup)
        for rel in pages:
            current[0] = rel
            context.unroute("**/*")
            page.goto(base + rel, wait_until="load")
            problems += [f"{rel}: {p}" for p in page.evaluate(_AUDIT, allowed)]
            context.route("**/*", _stay)
            page.evaluate(_HOVER_ALL)
            keys = page.evaluate(_CLICK_ALL, seen)
            seen += keys
            clicked += len(keys)
            page.wait_for_timeout(30)
            if page.url.split("#")[0] != base + rel:
                problems.append(f"{rel}: a click left the page for {page.url}")
            for other in context.pages[1:]:
                other.close()
        context.unroute("**/*")
        context.close()
    return problems, clicked
