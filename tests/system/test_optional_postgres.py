"""The PostgreSQL driver is an optional extra: without it the app starts, and a PostgreSQL
URL gets one clear line saying what to install (a fresh clone's `pip install .` path)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import REPO_ROOT

# Run in a fresh interpreter in which `import psycopg` fails, as after `pip install .`.
WITHOUT_PSYCOPG = "import sys; sys.modules['psycopg'] = None\n"


def run_without_psycopg(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_PSYCOPG + textwrap.dedent(code)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(REPO_ROOT), **env},
    )


def test_the_app_and_its_routes_import_without_the_postgresql_driver():
    done = run_without_psycopg(
        """
        import app
        from web.server import routes, middleware
        assert routes() and middleware()
        print("started")
        """
    )
    assert done.returncode == 0, done.stderr
    assert "started" in done.stdout


def test_sqlite_rooms_work_without_the_postgresql_driver(tmp_path):
    done = run_without_psycopg(
        """
        from rooms import RoomSettings, RoomStore
        store = RoomStore.from_settings(RoomSettings.from_env())
        print(store.create_room("No driver needed").room.code)
        """,
        EXPLORER_DATA_DIR=str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip()) == 6


def test_a_postgresql_url_without_the_driver_logs_one_line_saying_what_to_install():
    done = run_without_psycopg(
        """
        import asyncio, logging
        from rooms import RoomSettings, RoomStore
        from web.rooms_routes import rooms_lifespan
        from rooms.services import RoomService

        logging.basicConfig(level=logging.ERROR, format="%(message)s")

        def service():
            return RoomService(RoomStore.from_settings(RoomSettings.from_env()), None)

        async def start_and_stop():
            async with rooms_lifespan(service=service):
                await asyncio.sleep(0.5)

        asyncio.run(start_and_stop())
        """,
        EXPLORER_DATABASE_URL="postgresql://user:secret@127.0.0.1:1/rooms",
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "postgres" in line.lower()]
    assert len(lines) == 1, done.stderr
    assert "pip install 'mentor-or-coach[postgres]'" in lines[0]
    assert "secret" not in done.stderr and "Traceback" not in done.stderr


def test_the_room_page_shows_the_install_line_not_a_traceback(tmp_path):
    done = run_without_psycopg(
        """
        from streamlit.testing.v1 import AppTest
        at = AppTest.from_file("views/frame.py", default_timeout=30)
        at.run()
        at.switch_page("../pages/room.py").run()
        assert not at.exception, [e.value for e in at.exception]
        print("\\n".join(e.value for e in at.error))
        """,
        EXPLORER_DATABASE_URL="postgresql://user:secret@127.0.0.1:1/rooms",
    )
    assert done.returncode == 0, done.stderr
    assert "driver is not installed" in done.stdout
    assert "mentor-or-coach[postgres]" in done.stdout
