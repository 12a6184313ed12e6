"""Servers and Chromium on loopback, for the tests and the benchmarks alike: start and stop
`streamlit run` (server), the two-replica cluster behind nginx (cluster), Debian's Chromium
and its flags (chromium), and the fresh-clone first-page check (first_page)."""
