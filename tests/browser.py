"""Browser tests: Debian's Chromium driven by Playwright, and axe-core in it.

The browser is the system's /usr/bin/chromium (override with CHROMIUM_PATH);
Playwright never downloads one. `.ci/run` installs Debian's chromium.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 375, "height": 740}
NARROW_PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
VIEWPORTS = (DESKTOP, PHONE, NARROW_PHONE)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="ja-JP")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo_data(transactional_db, django_db_setup):
    """The demo data in a transactional test. A transactional test flushes the database
    when it ends; the next one gets the demo data back from the session's snapshot
    (``django_db_setup``), with the same ids, content types and history."""
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings

    from policies.models import Plan

    if not Plan.objects.exists():
        # What the flush left: content types and permissions recreated with new ids.
        call_command(
            "flush",
            interactive=False,
            verbosity=0,
            inhibit_post_migrate=True,
            reset_sequences=False,  # the snapshot's ids stay below every sequence
        )
        # Restoring tags would record history: the snapshot has it already.
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            connection.creation.deserialize_db_from_string(django_db_setup)


@pytest.fixture
def demo_server(live_server, demo_data):
    """A live server over the demo data."""
    return live_server


def axe_violations(page) -> list[dict]:
    """Run axe-core in the page for WCAG 2.0/2.1 A and AA; return the violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return results.response["violations"]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
    )


_OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const scrollable = (element) => {
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
      const overflow = getComputedStyle(parent).overflowX;
      if (overflow === "auto" || overflow === "scroll") return true;
    }
    return false;
  };
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= 0) continue;  // not drawn, or moved off screen on purpose
    if (box.right > width + 1 && !scrollable(element)) {
      found.push(`${element.tagName.toLowerCase()}.${element.className}: ${Math.round(box.right)}px`);
    }
  }
  return found.slice(0, 5);
}"""


def overflowing_elements(page) -> list[str]:
    """Elements reaching past the viewport's right edge outside a scrollable block."""
    return page.evaluate(_OVERFLOWING)


_SMALL_TARGETS = """(minimum) => {
  const found = [];
  for (const element of document.querySelectorAll("a[href], button, input, select, textarea, summary")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= 0) continue;
    if (element.closest(".visually-hidden")) continue;
    const inline = getComputedStyle(element).display === "inline" && element.closest("p, li, dd, td") &&
      element.closest("p, li, dd, td").textContent.trim() !== element.textContent.trim();
    if (inline) continue;  // a link in a sentence is exempt (WCAG 2.5.8 "inline")
    if (box.height < minimum || box.width < minimum) {
      found.push(`${element.tagName.toLowerCase()} "${element.textContent.trim().slice(0, 20)}": ${box.width.toFixed(0)}x${box.height.toFixed(0)}`);
    }
  }
  return found.slice(0, 8);
}"""


def small_tap_targets(page, minimum: int = 24) -> list[str]:
    """Links and controls smaller than ``minimum`` CSS pixels, except links inside a sentence."""
    return page.evaluate(_SMALL_TARGETS, minimum)
