"""Markup and figures built from the domain: the Plotly radar (figures), the static SVG radar
(svg), the sensitivity strips (strips) and the downloadable brief (brief). Every word is
escaped; nothing here decides anything."""
