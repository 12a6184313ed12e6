"""Links the app hands out: its own address as the browser sees it, and share links."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

import streamlit as st

from explorer import Content
from explorer.urlstate import write_query


def app_url() -> str:
    """The app's root address as the browser sees it (falls back to the local default)."""
    parts = urlsplit(st.context.url or "http://localhost:8501/")
    return f"{parts.scheme}://{parts.netloc}/"


def share_url(content: Content, inputs: Mapping[str, str]) -> str:
    """A link to the Explore page with these inputs."""
    return f"{app_url()}?{urlencode(write_query(content, inputs))}"
