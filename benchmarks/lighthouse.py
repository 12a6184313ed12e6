"""First loads as Lighthouse 12.2.3 measures them (`--only lighthouse`).

Lighthouse is pinned: `npm install -E lighthouse@12.2.3` into a cache folder of its own
(`LIGHTHOUSE_DIR`, by default under the system's temporary folder; needs Node 20 and npm),
run with Debian's Chromium (`CHROME_PATH`), performance category only, each run in a fresh
browser profile (a cold cache, as a phone that scans the QR code for the first time).

- **phone**: the mobile preset (Lighthouse's default: a Moto G Power-sized screen, 4x CPU
  slowdown, simulated slow 4G) on a real room's join link `/j/CODE` (a room made in the
  server's own store) and on the bare Streamlit page (benchmarks/baseline_app.py), served
  in the same run, runs interleaved: LCP, FCP, time to interactive, bytes transferred.
- **explore**: the same preset on Explore (`/`) served by the app with compression on (as
  shipped) and by the same app with `EXPLORER_COMPRESSION=off` (web/compression.py):
  bytes, LCP, CLS.

Figures are medians of the runs (3 in a full run). Lighthouse simulates the network from
what it observed (Lantern), so the times are its estimates for that phone, not this
machine's wall clock; the ratios against the bare page are the figures.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.common import APP, BASELINE, Server, log, ratio
from benchmarks.room import _store, fresh_database
from testkit.chromium import CHROMIUM

VERSION = "12.2.3"
LIGHTHOUSE_DIR = Path(
    os.environ.get("LIGHTHOUSE_DIR")
    or Path(tempfile.gettempdir()) / f"benchmarks-lighthouse-{VERSION}"
)
INSTALL_S = 600
RUN_S = 300
METRICS = {
    "lcp_ms": "largest-contentful-paint",
    "fcp_ms": "first-contentful-paint",
    "tti_ms": "interactive",
    "cls": "cumulative-layout-shift",
    "bytes": "total-byte-weight",
}
# Goals of issue #20 for the join link, against the bare page's.
LCP_RATIO_GOAL = 0.15
BYTES_RATIO_GOAL = 0.05


def unavailable() -> str | None:
    """Why Lighthouse cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found"
    if not shutil.which("node") or not shutil.which("npm"):
        return "Node and npm are not installed"
    return None


def node_version() -> str:
    found = subprocess.run(["node", "--version"], capture_output=True, text=True, timeout=30)
    return found.stdout.strip()


def lighthouse_bin() -> Path:
    """The pinned Lighthouse, installed once into LIGHTHOUSE_DIR."""
    exe = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
    package = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "package.json"
    if exe.exists() and json.loads(package.read_text())["version"] == VERSION:
        return exe
    LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
    log(f"installing lighthouse@{VERSION} into {LIGHTHOUSE_DIR}")
    subprocess.run(
        ["npm", "install", "-E", "--no-audit", "--no-fund", "--silent", f"lighthouse@{VERSION}"],
        cwd=LIGHTHOUSE_DIR,
        check=True,
        capture_output=True,
        timeout=INSTALL_S,
    )
    return exe


def run(url: str) -> dict[str, Any]:
    """One Lighthouse run (mobile preset, performance only, a fresh profile)."""
    work = Path(tempfile.mkdtemp(prefix="bench-lh-"))
    out = work / "report.json"
    try:
        flags = f"--headless=new --no-sandbox --disable-gpu --user-data-dir={work / 'profile'}"
        subprocess.run(
            [
                str(lighthouse_bin()),
                url,
                "--quiet",
                "--only-categories=performance",
                "--output=json",
                f"--output-path={out}",
                f"--chrome-flags={flags}",
            ],
            env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
            capture_output=True,
            timeout=RUN_S,
            check=False,
        )
        if not out.exists():
            return {"error": "Lighthouse wrote no report"}
        report = json.loads(out.read_text())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    audits = report.get("audits", {})
    row: dict[str, Any] = {
        name: audits.get(audit, {}).get("numericValue") for name, audit in METRICS.items()
    }
    row["error"] = (report.get("runtimeError") or {}).get("code")
    row["lighthouse"] = report.get("lighthouseVersion")
    row["requests"] = len(
        (audits.get("network-requests", {}).get("details") or {}).get("items") or []
    )
    return row


def _warm(base_url: str) -> None:
    """Run the server's script once, as deploy/cluster.sh does, so no measured load pays
    for the first run's imports."""
    with contextlib.suppress(OSError):
        urllib.request.urlopen(f"{base_url}/_stcore/script-health-check", timeout=120).close()


def medians(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"runs": len(rows), "errors": [r["error"] for r in rows if r["error"]]}
    for key in (*METRICS, "requests"):
        values = [r[key] for r in rows if isinstance(r.get(key), int | float)]
        out[key] = statistics.median(values) if values else None
    return out


def measure(runs: int) -> dict[str, Any]:
    """The join link vs the bare page, and Explore with compression on and off."""
    rows: dict[str, list[dict[str, Any]]] = {
        "join": [],
        "baseline": [],
        "explore_compressed": [],
        "explore_uncompressed": [],
    }
    with fresh_database(None) as (database_url, data_dir):
        env = {"EXPLORER_DATA_DIR": data_dir, "EXPLORER_DATABASE_URL": database_url}
        store = _store(database_url, data_dir)
        try:
            code = store.create_room("Lighthouse").room.code
        finally:
            store.dispose()
        lighthouse_bin()
        with (
            Server(APP, env=env) as app,
            Server(APP, env={**env, "EXPLORER_COMPRESSION": "off"}) as plain,
            Server(BASELINE) as baseline,
        ):
            urls = {
                "join": f"{app.url}/j/{code}",
                "baseline": f"{baseline.url}/",
                "explore_compressed": f"{app.url}/",
                "explore_uncompressed": f"{plain.url}/",
            }
            for server in (app, plain, baseline):  # each script run once before measuring
                _warm(server.url)
            for i in range(runs):
                for name, url in urls.items():
                    rows[name].append(run(url))
                log(f"lighthouse: round {i + 1} of {runs} done")
    found = {name: medians(values) for name, values in rows.items()}
    join, base = found["join"], found["baseline"]
    on, off = found["explore_compressed"], found["explore_uncompressed"]
    result = {
        "lighthouse_version": VERSION,
        "node": node_version(),
        "preset": "mobile (Lighthouse default: simulated slow 4G, 4x CPU slowdown)",
        "runs": runs,
        "phone": {
            "join": join,
            "baseline": base,
            "lcp_ratio": ratio(join["lcp_ms"], base["lcp_ms"]),
            "fcp_ratio": ratio(join["fcp_ms"], base["fcp_ms"]),
            "tti_ratio": ratio(join["tti_ms"], base["tti_ms"]),
            "bytes_ratio": ratio(join["bytes"], base["bytes"]),
        },
        "explore": {
            "compressed": on,
            "uncompressed": off,
            "bytes_ratio": ratio(on["bytes"], off["bytes"]),
            "lcp_ratio": ratio(on["lcp_ms"], off["lcp_ms"]),
        },
        "raw": rows,
    }
    p = result["phone"]
    log(
        f"lighthouse: join LCP {join['lcp_ms']} ms vs bare {base['lcp_ms']} ms "
        f"({p['lcp_ratio']:.2f}x), bytes {join['bytes']} vs {base['bytes']} "
        f"({p['bytes_ratio']:.3f}x); Explore bytes {on['bytes']} compressed, {off['bytes']} not"
    )
    return result
