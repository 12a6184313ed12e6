"""Two replicas behind nginx on one PostgreSQL store (deploy/cluster.sh), end to end.

A room is created through the RoomStore on the shared database; participants in their own
Chromium contexts answer through nginx, half of them pinned to replica a and half to b (the
`explorer_replica` cookie the nginx config routes on); then the facilitator dashboard,
opened on EITHER replica, must count every answer.

Needs nginx, PostgreSQL (EXPLORER_TEST_POSTGRES_URL, from `source .ci/postgres.sh`) and
Debian's Chromium (the shared `browser` fixture of tests/browser/conftest.py). Without them
the test is skipped, except under CI=true, where it fails.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PARTICIPANTS_PER_REPLICA = 3
START_TIMEOUT_S = 120
PAGE_TIMEOUT_MS = 60_000
DASHBOARD_TIMEOUT_MS = 60_000
IN_CI = os.environ.get("CI") == "true"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


@pytest.fixture(scope="module")
def cluster_database() -> Iterator[str]:
    """A fresh database on the test PostgreSQL server, dropped afterwards."""
    url = os.environ.get("EXPLORER_TEST_POSTGRES_URL")
    if not url:
        _unavailable("EXPLORER_TEST_POSTGRES_URL is not set (source .ci/postgres.sh)")
    import sqlalchemy as sa

    name = f"explorer_cluster_{secrets.token_hex(4)}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as err:
        admin.dispose()
        _unavailable(f"PostgreSQL at EXPLORER_TEST_POSTGRES_URL does not answer: {err}")
    try:
        yield sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def cluster(cluster_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """deploy/cluster.sh on free loopback ports; yields nginx's base URL."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(nginx, os.X_OK):
        _unavailable("nginx is not installed (apt-get install nginx)")
    if not shutil.which("curl"):
        _unavailable("curl is not installed")
    port, port_a, port_b = _free_ports(3)
    logs = tmp_path_factory.mktemp("cluster")
    env = {
        **os.environ,
        "EXPLORER_DATABASE_URL": cluster_database,
        "EXPLORER_DATA_DIR": str(logs),
        "EXPLORER_MAX_ROOMS_PER_HOUR": "1000",
        "CLUSTER_PORT": str(port),
        "REPLICA_PORTS": f"{port_a},{port_b}",
        "NGINX": nginx,
        "PYTHON": os.environ.get("PYTHON", str(REPO_ROOT / ".venv" / "bin" / "python")),
    }
    out = (logs / "cluster.log").open("wb")
    process = subprocess.Popen(
        ["bash", str(REPO_ROOT / "deploy" / "cluster.sh")],
        cwd=REPO_ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log = logs / "cluster.log"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while "READY " not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"deploy/cluster.sh did not start:\n{log.read_text()[-4000:]}")
            time.sleep(0.25)
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # its trap stops nginx and both replicas
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        out.close()


def _context(browser, base_url: str, replica: str):
    """A browser context pinned to one replica by nginx's routing cookie."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    context.add_cookies([{"name": "explorer_replica", "value": replica, "url": base_url}])
    return context


def _count_pattern() -> re.Pattern[str]:
    """The dashboard's count line from its wording in content/ui.yaml; group 1 = answers."""
    from explorer import load_content

    template = load_content().text("room.counts").replace("**", "")
    parts = re.split(r"(\{[a-z_]+\})", template)
    pattern = "".join(
        r"(\d+)" if p == "{answered}" else r"\d+" if p.startswith("{") else re.escape(p)
        for p in parts
    )
    return re.compile(pattern)


def test_dashboard_on_either_replica_counts_every_answer(cluster, cluster_database, browser):
    from playwright.sync_api import expect

    from explorer import load_content
    from explorer.rooms import RoomSettings, RoomStore

    content = load_content()
    store = RoomStore(cluster_database, RoomSettings(database_url=cluster_database))
    try:
        created = store.create_room("Cluster test")
        code, token = created.room.code, created.token
        contexts = []
        try:
            landed = []
            for i in range(2 * PARTICIPANTS_PER_REPLICA):
                replica = "ab"[i % 2]
                context = _context(browser, cluster, replica)
                contexts.append(context)
                page = context.new_page()
                response = page.goto(f"{cluster}/room?room={code}")
                assert response is not None and response.ok
                landed.append(response.headers.get("x-explorer-replica"))
                submit = page.get_by_role("button", name=content.text("room.submit"))
                expect(submit).to_be_visible()
                slider = page.locator('[data-testid="stForm"]').get_by_role("slider").nth(i % 4)
                slider.focus()
                page.keyboard.press("ArrowRight" if i % 3 else "ArrowLeft")
                submit.click()
                expect(page.get_by_text(content.text("room.thanks"))).to_be_visible()
            # The routing worked: each participant was served by the replica it asked for.
            assert landed == ["a", "b"] * PARTICIPANTS_PER_REPLICA
            answers = 2 * PARTICIPANTS_PER_REPLICA
            assert store.snapshot(code).count == answers

            pattern = _count_pattern()
            for replica in "ab":
                context = _context(browser, cluster, replica)
                contexts.append(context)
                page = context.new_page()
                response = page.goto(f"{cluster}/room?room={code}&token={token}")
                assert response is not None and response.headers["x-explorer-replica"] == replica
                line = page.locator('[data-testid="stMarkdownContainer"] p').filter(
                    has_text=pattern
                )
                expect(line).to_have_count(1, timeout=DASHBOARD_TIMEOUT_MS)
                expect(line).to_have_text(
                    re.compile(rf"^{pattern.pattern}$".replace(r"(\d+)", str(answers))),
                    timeout=DASHBOARD_TIMEOUT_MS,
                )
                assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            for context in contexts:
                context.close()
    finally:
        store.dispose()
