"""Someone's text is shown as typed: no link, no icon, no markup, where Streamlit's markdown
would make them (issue 24, Medium 9). Escaping stopped markdown syntax, but Streamlit still
linked bare addresses (``https://…``, ``www.…``, ``name@host``) and drew ``:material/…:`` as
an icon, in the app's own "unknown setting" warning and in room titles."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.support.measurements import family

from .conftest import open_app
from .room_support import create_room

MEASURED = family("urls")

HOSTILE_NAMES = [
    "see https://evil.example/x",
    "www.evil.example",
    "mail@evil.example",
    ":material/lock: sign in",
    "[click](https://evil.example) **now** `x`",
]
# What the typed text could become inside the page's text (the alert's own icon is not
# part of the text: it sits outside its markdown).
MADE_JS = """(selector) => {
  const inside = [...document.querySelectorAll(selector)];
  return {
    links: inside.flatMap((el) => [...el.querySelectorAll('a')]).length,
    icons: inside.flatMap((el) => [...el.querySelectorAll('[data-testid="stIconMaterial"]')])
      .length,
    texts: inside.map((el) => el.innerText),
  };
}"""
WARNING_TEXT = '[data-testid="stAlertContentWarning"] [data-testid="stMarkdownContainer"]'


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_link_s_unknown_setting_is_named_in_the_warning_as_text(
    new_page, app_server, name: str
) -> None:
    page = open_app(new_page("desktop"), app_server, f"{quote(name, safe='')}=1")
    expect(page.locator(WARNING_TEXT).first).to_be_visible()
    made = page.evaluate(MADE_JS, WARNING_TEXT)
    MEASURED.add(
        "user_text", warnings_checked=1, links_made=made["links"], icons_made=made["icons"]
    )
    assert made["links"] == 0 and made["icons"] == 0, made
    # Named as typed (a long name is cut short): its first characters are there, literally.
    assert any(name[:9] in text for text in made["texts"]), made["texts"]


def test_a_room_title_with_addresses_and_an_icon_code_is_shown_as_typed(
    new_page, app_server
) -> None:
    title = "Visit https://evil.example or www.evil.example :material/lock: **now**"
    page: Page = new_page("presenter")
    create_room(page, app_server, title)
    heading = page.locator(".typed-title")
    expect(heading).to_have_text(title)
    made = page.evaluate(MADE_JS, ".typed-title")
    MEASURED.add("user_text", titles_checked=1, links_made=made["links"], icons_made=made["icons"])
    assert made["links"] == 0 and made["icons"] == 0, made
