"""Open Explore in Debian's Chromium and say whether a newcomer sees it working: the live
radar drawn (its `data-needs` set) and no error on the page. Used by .ci/fresh_clone.sh on
a server started the way a user starts it (`make run`, or `pip install .` then
`streamlit run app.py`).

    python -m testkit.first_page http://127.0.0.1:8501/      # exit 0 when it works
"""

from __future__ import annotations

import sys
import time

from playwright.sync_api import sync_playwright

from testkit.chromium import CHROMIUM, CHROMIUM_ARGS

WAIT_S = 90.0
# Anything Streamlit or the app shows when a script failed.
ERROR_WORDS = ("Traceback", "has encountered an error", "ModuleNotFoundError", "Error:")
RADAR_NEEDS_JS = """() => {
  const find = (root) => {
    const hit = root.querySelector('[data-testid="live-radar"]');
    if (hit) return hit;
    for (const element of root.querySelectorAll('*')) {
      if (element.shadowRoot) { const inner = find(element.shadowRoot); if (inner) return inner; }
    }
    return null;
  };
  const radar = find(document);
  return radar ? radar.getAttribute('data-needs') : null;
}"""
ERROR_ELEMENTS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def check(url: str) -> list[str]:
    """What is wrong with Explore at `url`, in words (empty when it works)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(url, timeout=WAIT_S * 1000)
            deadline = time.monotonic() + WAIT_S
            needs = None
            for _ in range(int(WAIT_S * 4)):  # bounded: one poll every 0.25 s
                needs = page.evaluate(RADAR_NEEDS_JS)
                if needs or time.monotonic() > deadline:
                    break
                page.wait_for_timeout(250)
            problems = [] if needs else [f"the live radar was not drawn within {WAIT_S:.0f} s"]
            text = page.evaluate("document.body.innerText")
            problems += [f"the page says {word!r}" for word in ERROR_WORDS if word in text]
            if count := page.locator(ERROR_ELEMENTS).count():
                problems.append(f"{count} error element(s) on the page")
            return problems
        finally:
            browser.close()


def main(argv: list[str]) -> int:
    url = argv[1] if len(argv) > 1 else "http://127.0.0.1:8501/"
    problems = check(url)
    for problem in problems:
        print(f"FAIL {url}: {problem}")
    if not problems:
        print(f"ok {url}: Explore drew the live radar, no error on the page")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
