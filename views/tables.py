"""Tables and downloads: column ids shown with their labels from content."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from explorer import Content
from explorer.tables import column_label, labelled

MIME_TYPES = {".csv": "text/csv", ".html": "text/html", ".md": "text/markdown"}


def show_table(content: Content, table: pd.DataFrame) -> None:
    """A short table (columns are ids, shown with their labels from content) as a plain
    table: its text wraps on a phone and follows the page's size on a projector."""
    labels = labelled(content, table)
    shown = labels.map(lambda v: f"{v:g}" if isinstance(v, float) else v).astype(object)
    shown = shown.where(labels.notna(), "—")
    st.table(shown.set_index(shown.columns[0]))


def show_grid(content: Content, table: pd.DataFrame, *, height: int) -> None:
    """A long table as a scrolling grid (sortable), its columns labelled from content."""
    columns = {c: st.column_config.Column(column_label(content, c)) for c in table.columns}
    st.dataframe(table, hide_index=True, width="stretch", column_config=columns, height=height)


def download(label: str, data: str | Callable[[], str], file_name: str, *, key: str) -> None:
    """A download button that does not rerun the page; `data` may be a callable, which then
    runs only when the button is pressed."""
    mime = MIME_TYPES[file_name[file_name.rfind(".") :]]
    st.download_button(label, data, file_name=file_name, mime=mime, key=key, on_click="ignore")
