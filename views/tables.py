"""Tables and downloads: column ids shown with their labels from content."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from explorer import Content
from explorer.tables import column_label

MIME_TYPES = {".csv": "text/csv", ".html": "text/html", ".md": "text/markdown"}


def show_table(
    content: Content, table: pd.DataFrame, config: dict[str, Any] | None = None, **options: Any
) -> None:
    """A table whose columns are ids, shown with their labels from content; `config` maps an
    id to a column type (its label is filled in here)."""
    columns = {}
    for column in table.columns:
        kind = (config or {}).get(column, st.column_config.Column)
        columns[column] = kind(column_label(content, column))
    st.dataframe(table, hide_index=True, width="stretch", column_config=columns, **options)


def download(label: str, data: str | Callable[[], str], file_name: str, *, key: str) -> None:
    """A download button that does not rerun the page; `data` may be a callable, which then
    runs only when the button is pressed."""
    mime = MIME_TYPES[file_name[file_name.rfind(".") :]]
    st.download_button(label, data, file_name=file_name, mime=mime, key=key, on_click="ignore")
