"""docs/reliability.md from the measurements of the last full test run.

    CI=true .venv/bin/python -m pytest tests      # writes test-artifacts/reliability/*.json
    .venv/bin/python -m tests.support.reliability_report

Every figure in the page comes from those files (tests/support/measurements.py writes them from
what the tests counted); a figure no test measured says so, a stale one (not measured in
the last run) is marked, and a run with failures is named at the top. The "before" column
of the attack table quotes issue 15's own measurements of the previous release: they could
not be measured again, since that code is gone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from testkit.server import REPO_ROOT
from tests.support.appserver import ARTIFACTS

OUT = REPO_ROOT / "docs" / "reliability.md"
MISSING = "*not measured in this run*"


class Figures:
    """The artifacts, read once; `get("urls", "arbitrary_links", "exceptions")`."""

    def __init__(self, folder: Path = ARTIFACTS) -> None:
        self.families: dict[str, dict[str, Any]] = {}
        for path in sorted(folder.glob("*.json")):
            self.families[path.stem] = json.loads(path.read_text(encoding="utf-8"))

    def get(self, family: str, entry: str, *keys: str) -> Any:
        value: Any = self.families.get(family, {}).get(entry)
        for key in keys:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    def stale(self, family: str, entry: str) -> bool:
        return bool(self.get(family, entry, "stale"))

    def failures(self) -> list[str]:
        failed = []
        for name, data in self.families.items():
            run = data.get("_run", {})
            if run.get("run_failed"):
                failed.append(f"{name}: {', '.join(run.get('failed_tests', [])) or 'the run'}")
        return failed


def _n(value: Any) -> str:
    if value is None:
        return MISSING
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _mark(f: Figures, family: str, entry: str) -> str:
    return " (stale: from an earlier run)" if f.stale(family, entry) else ""


def attacks(f: Figures) -> list[str]:
    g = f.get
    rows = [
        (
            "Answer stuffing: one client invents participant ids",
            "500 answers stored in 19 s; real participants then told the room is full",
            f"{_n(g('security', 'stuffing', 'identities_issued'))} of "
            f"{_n(g('security', 'stuffing', 'raw_joins_tried'))} raw joins got an identity, "
            f"{_n(g('security', 'stuffing', 'answers_after_stuffing'))} answer after every "
            f"stuffing try; then all {_n(g('security', 'stuffing', 'real_participants'))} "
            "real participants answered (answers: "
            f"{_n(g('security', 'stuffing', 'answers_after_real_participants'))})"
            + _mark(f, "security", "stuffing"),
        ),
        (
            "Rerun flood: 50 reruns a second on one WebSocket",
            "~90 % of a core; another visitor's page load from ~4 s to 10-22 s",
            f"{_n(g('floods', 'rerun_flood', 'server_cpu_share_during_flood'))} of a core; "
            "another visitor's first page run "
            f"{_n(g('floods', 'rerun_flood', 'other_visitor_first_run_s_during_flood'))} s "
            f"(quiet: {_n(g('floods', 'rerun_flood', 'other_visitor_first_run_s_quiet'))} s)"
            + _mark(f, "floods", "rerun_flood"),
        ),
        (
            "Query amplification: a 507 kB link of unknown keys",
            "1,003 messages and 255 MB sent; four such sessions grew the server to 1 GB",
            f"{_n(g('floods', 'huge_link', 'messages_for_the_huge_link'))} messages, "
            f"{_n(g('floods', 'huge_link', 'bytes_for_the_huge_link'))} bytes for a "
            f"{_n(g('floods', 'huge_link', 'link_bytes'))}-byte link (a plain link: "
            f"{_n(g('floods', 'huge_link', 'messages_for_a_plain_link'))} messages)"
            + _mark(f, "floods", "huge_link"),
        ),
        (
            "Code guessing behind one NAT (class of 60 plus a guesser)",
            "the class shared 10 failed lookups a minute; 30 simultaneous guesses let 11 "
            "through a limit of 10",
            f"{_n(g('security', 'one_address_class_and_guesser', 'answered'))} of "
            f"{_n(g('security', 'one_address_class_and_guesser', 'class_size'))} answered; "
            "the guesser got at most "
            + _n(g("security", "one_address_class_and_guesser", "guesser_max_lookups_in_a_minute"))
            + " lookups in any minute, "
            f"{_n(g('security', 'one_address_class_and_guesser', 'guesser_tries_refused'))} "
            "tries refused" + _mark(f, "security", "one_address_class_and_guesser"),
        ),
        (
            "Facilitator key in the address bar",
            "/room?room=CODE&token=...; 103 of 105 nginx log lines held it",
            f"{_n(g('security', 'facilitator_key', 'addresses_holding_the_key'))} of "
            f"{_n(g('security', 'facilitator_key', 'addresses_requested'))} addresses the "
            "browser asked for held the key; in the address bar: "
            f"{_n(g('security', 'facilitator_key', 'key_in_address_bar'))}; the spent "
            f"claim answers {_n(g('security', 'facilitator_key', 'spent_claim_reuse_status'))}"
            + _mark(f, "security", "facilitator_key"),
        ),
        (
            "Participant id in a forwardable link",
            "whoever was sent the link saw and replaced that person's answer",
            "identity in the address: "
            f"{_n(g('security', 'participant_identity', 'identity_in_address'))}; a "
            "forwarded link took over the seat: "
            f"{_n(g('security', 'participant_identity', 'forwarded_link_took_over_the_seat'))}"
            + _mark(f, "security", "participant_identity"),
        ),
        (
            "Framing the facilitator page (click-jacking Reveal)",
            "the page could be framed",
            f"{_n(g('security', 'framing', 'pages_framed'))} of "
            f"{_n(g('security', 'framing', 'pages_tried'))} pages could be framed"
            + _mark(f, "security", "framing"),
        ),
        (
            "Content-Security-Policy",
            "none sent",
            f"{_n(g('security', 'content_security_policy', 'violations'))} violations over "
            f"{_n(g('security', 'content_security_policy', 'views_watched'))} views"
            + _mark(f, "security", "content_security_policy"),
        ),
        (
            "Markup in a link's parameter names",
            "a working link and a remote image inside the app's own warning",
            f"{_n(g('urls', 'arbitrary_links', 'html_injections'))} markup rendered over "
            f"{_n(g('urls', 'arbitrary_links', 'app_examples'))} links"
            + _mark(f, "urls", "arbitrary_links"),
        ),
    ]
    out = [
        "| attack | before (issue 15, previous release) | after (this run) |",
        "| --- | --- | --- |",
    ]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return out


THREAT_MODEL = [
    "## Who we defend against, and where",
    "",
    "The attacker is anyone who can reach the app's address: a participant's phone, a page",
    "in another tab, a page served from another port of the same laptop (same site, so it",
    "gets the app's SameSite cookies and may set cookies for its host), a script opening",
    "many connections. They may know a room's code (it is on the projector); they do not",
    "hold the facilitator's key (an HttpOnly cookie set by the app's claim route) or a",
    "participant's device proof (kept in the page's own origin storage). The app alone",
    "gives: same-origin checks on Streamlit's WebSocket and on every state-changing route",
    "(web/origin.py, web/stream_guard.py); participant identities signed with the room",
    "store's secret and bound to their page by a device proof (both itsdangerous);",
    "one-time expiring claims for the facilitator's key, which the database keeps only",
    "sealed under the claim (cryptography's Fernet), so reading the database does not give",
    "a facilitator's key; guessing limits counted in the database every replica shares;",
    "streams and their messages bounded per address, per identity and per process; 1 MB",
    "per client message; user text shown as text. nginx",
    "(deploy/nginx.conf.template) adds what the app cannot see: new connections per second",
    "per address, open connections per address, slow or half-sent headers, TLS and HSTS.",
    "Run the app alone only on a network you trust (`make run HOST=0.0.0.0` in a workshop",
    "room); anything reachable from the internet goes behind the documented nginx.",
]


def round_three(f: Figures) -> list[str]:
    """Issue 24's attacks: the "before" column quotes the issue's own measurements of the
    release before it (that code is gone); the "after" column is this run's count."""
    g = f.get
    rows = [
        (
            "A page on another port of the same host opens the facilitator's WebSocket",
            "it received the whole dashboard, made a one-time claim link and redeemed it",
            "WebSocket opened from another port: "
            f"{_n(g('security', 'same_host', 'websocket_opened_from_another_port'))}; "
            "messages it received: "
            f"{_n(g('security', 'same_host', 'messages_received_by_another_port'))}; "
            "answers it stored: "
            f"{_n(g('security', 'same_host', 'answers_stored_from_another_port'))}"
            + _mark(f, "security", "same_host"),
        ),
        (
            "The same page plants a participant identity, then reads the answer given under it",
            "the victim's answer was readable through the planted identity",
            "answers readable through the planted identity: "
            f"{_n(g('security', 'planted_identity', 'answers_readable_by_the_planted_identity'))}"
            "; the phone kept the planted identity: "
            f"{_n(g('security', 'planted_identity', 'participant_kept_the_planted_identity'))}"
            + _mark(f, "security", "planted_identity"),
        ),
        (
            "60 flooding WebSocket connections from one address",
            "78,224 messages in 61 s; another visitor's first run over 20 s until 151 s after "
            "the flood ended",
            f"{_n(g('floods', 'many_connections', 'hostile_messages_sent'))} messages sent, "
            f"{_n(g('floods', 'many_connections', 'hostile_upgrades_refused'))} upgrades "
            "refused, "
            f"{_n(g('floods', 'many_connections', 'hostile_connections_closed_by_server'))} "
            "connections closed; another visitor's first run "
            f"{_n(g('floods', 'many_connections', 'other_visitor_first_run_s_during_flood'))} s "
            "during it, "
            f"{_n(g('floods', 'many_connections', 'other_visitor_first_run_s_after_flood'))} s "
            f"{_n(g('floods', 'many_connections', 'after_flood_measured_s_after_it_ended'))} s "
            "after it (quiet: "
            f"{_n(g('floods', 'many_connections', 'other_visitor_first_run_s_quiet'))} s)"
            + _mark(f, "floods", "many_connections"),
        ),
        (
            "30 sessions each send one 23-24 MB message",
            "server memory from 1,476 to 3,114 MB, never returned",
            f"{_n(g('floods', 'huge_messages', 'refused'))} of "
            f"{_n(g('floods', 'huge_messages', 'sessions'))} refused; server memory "
            f"{_n(g('floods', 'huge_messages', 'server_rss_mb_before'))} MB before, "
            f"{_n(g('floods', 'huge_messages', 'server_rss_mb_after'))} MB after"
            + _mark(f, "floods", "huge_messages"),
        ),
        (
            "Guessing room codes while holding made-up cookies named for each guess",
            "800 guesses, 0 refused, 45 a second",
            f"{_n(g('rooms', 'made_up_cookies', 'guesses_refused'))} of "
            f"{_n(g('rooms', 'made_up_cookies', 'guesses_tried'))} guesses refused with a "
            f"limit of {_n(g('rooms', 'made_up_cookies', 'limit'))}"
            + _mark(f, "rooms", "made_up_cookies"),
        ),
        (
            "Five addresses take identities and answer until refused, after a real "
            "participant opened the room",
            "500 answers stored in 92 s; the real participant was then told the room is full",
            f"{_n(g('rooms', 'answer_stuffing', 'answers_stored_by_stuffers'))} answers stored "
            f"by the stuffers in a room of {_n(g('rooms', 'answer_stuffing', 'seats'))} seats "
            f"(of {_n(g('rooms', 'answer_stuffing', 'tries'))} tries); the participant who "
            "had opened the room stored their answer: "
            f"{_n(g('rooms', 'answer_stuffing', 'joined_participant_answer_stored'))}; joins "
            "turned away, shown on the dashboard: "
            f"{_n(g('rooms', 'answer_stuffing', 'turned_away_shown'))}"
            + _mark(f, "rooms", "answer_stuffing"),
        ),
        (
            "One address opens participant live-update streams until refused",
            "2,100 streams in 2.2 s; every facilitator stream, in every room, then got 503",
            "streams one identity held: "
            f"{_n(g('rooms', 'one_address_streams', 'streams_one_identity_held'))}; "
            "participant streams opened of a process's "
            f"{_n(g('rooms', 'one_address_streams', 'streams_per_process'))}: "
            f"{_n(g('rooms', 'one_address_streams', 'participant_streams_opened'))}; the "
            "facilitator's stream opened after them: "
            f"{_n(g('rooms', 'one_address_streams', 'facilitator_stream_opened'))}"
            + _mark(f, "rooms", "one_address_streams"),
        ),
        (
            "Four lobby sessions on each of two addresses create rooms until refused",
            "59 rooms created, the global ceiling of 60 reached; a facilitator elsewhere was "
            "refused",
            f"{_n(g('rooms', 'room_creation_lockout', 'rooms_created'))} rooms created of a "
            f"ceiling of {_n(g('rooms', 'room_creation_lockout', 'ceiling'))}; a facilitator "
            "elsewhere refused: "
            f"{_n(g('rooms', 'room_creation_lockout', 'other_facilitator_refused'))}"
            + _mark(f, "rooms", "room_creation_lockout"),
        ),
        (
            "Two app processes on one PostgreSQL, one address guessing codes on both in turn",
            "(issue 22, measured on the commit before) 12 of 24 looked up with a limit of 6",
            f"{_n(g('rooms', 'shared_limit_two_replicas', 'guesses_looked_up'))} of "
            f"{_n(g('rooms', 'shared_limit_two_replicas', 'guesses'))} guesses looked up on "
            f"{_n(g('rooms', 'shared_limit_two_replicas', 'replicas'))} replicas with a limit of "
            f"{_n(g('rooms', 'shared_limit_two_replicas', 'limit'))}"
            + _mark(f, "rooms", "shared_limit_two_replicas"),
        ),
        (
            "A room deleted (now, or when it expires), then the database files read",
            "every table empty, but the titles still in rooms.db-wal 20 minutes later",
            "copies of the deleted room's title left in the files: "
            f"{_n(g('rooms', 'deleted_room_on_disk', 'title_copies_left_on_disk'))} after "
            f"{_n(g('rooms', 'deleted_room_on_disk', 'rooms_deleted'))} deletions"
            + _mark(f, "rooms", "deleted_room_on_disk"),
        ),
        (
            "Connections that send half a request's headers and then nothing",
            "19,700 of them made the health check time out (133,119 'Too many open files' "
            "lines in 45 s)",
            f"of {_n(g('floods', 'slow_headers', 'connections'))} sent to nginx, "
            f"{_n(g('floods', 'slow_headers', 'reached_the_replica_through_nginx'))} reached "
            f"a replica and {_n(g('floods', 'slow_headers', 'dropped_by_nginx'))} were dropped "
            f"within its {_n(g('floods', 'slow_headers', 'header_timeout_s'))} s header "
            "timeout; sent to the app alone, "
            f"{_n(g('floods', 'slow_headers', 'held_by_the_app_alone'))} were still open "
            f"{_n(g('floods', 'slow_headers', 'held_by_the_app_alone_after_s'))} s later (so: "
            "nginx in front whenever the app is reachable beyond a trusted room)"
            + _mark(f, "floods", "slow_headers"),
        ),
        (
            "One live-explorer report that is not JSON, then a real move",
            "the session failed on every later run and logged a traceback each time",
            "exceptions shown: "
            f"{_n(g('floods', 'malformed_report', 'exceptions_shown'))}; tracebacks logged: "
            f"{_n(g('floods', 'malformed_report', 'tracebacks_logged'))}; the next move "
            f"applied: {_n(g('floods', 'malformed_report', 'next_move_applied'))}"
            + _mark(f, "floods", "malformed_report"),
        ),
        (
            "A client sends Streamlit's \"Clear cache\" (empties every visitor's caches)",
            "any client could send it",
            f"{_n(g('floods', 'clear_cache', 'clear_cache_handed_on'))} of "
            f"{_n(g('floods', 'clear_cache', 'clear_cache_sent'))} handed on to Streamlit; "
            "other messages handed on: "
            f"{_n(g('floods', 'clear_cache', 'other_messages_handed_on'))}"
            + _mark(f, "floods", "clear_cache"),
        ),
        (
            "Streamlit's metrics and the CSV's /media/ address, as any client",
            "/_stcore/metrics public; /media/ served without Cache-Control: no-store",
            f"/_stcore/metrics answered {_n(g('production', 'info_endpoints', 'metrics_status'))}; "
            "/media/ Cache-Control: "
            f"{_n(g('production', 'info_endpoints', 'media_cache_control'))}"
            + _mark(f, "production", "info_endpoints"),
        ),
        (
            "A page elsewhere sends the browser to the attacker's own facilitator claim link",
            "the browser was signed into the attacker's dashboard (login CSRF)",
            "signed in without asking: "
            f"{_n(g('security', 'login_csrf', 'signed_in_by_another_page'))}"
            + _mark(f, "security", "login_csrf"),
        ),
        (
            "Scripts the policy lets run (script-src without 'unsafe-inline' and 'unsafe-eval')",
            "'unsafe-inline' 'unsafe-eval' allowed; six views rendered the same without them",
            f"violations over {_n(g('security', 'content_security_policy', 'views_watched'))} "
            "views: "
            f"{_n(g('security', 'content_security_policy', 'violations'))}"
            + _mark(f, "security", "content_security_policy"),
        ),
        (
            "Addresses and icon codes in a link's parameter names and in room titles",
            "each put an <a href> (or an icon) inside the app's own warning or heading",
            f"links made {_n(g('urls', 'user_text', 'links_made'))}, icons made "
            f"{_n(g('urls', 'user_text', 'icons_made'))}, over "
            f"{_n(g('urls', 'user_text', 'warnings_checked'))} warnings and "
            f"{_n(g('urls', 'user_text', 'titles_checked'))} titles"
            + _mark(f, "urls", "user_text"),
        ),
    ]
    out = [
        "| attack | before (issue 24, previous release) | after (this run) |",
        "| --- | --- | --- |",
    ]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return out


def families(f: Figures) -> list[str]:
    g = f.get
    rows = [
        (
            "Broken content",
            "the app on each broken content folder (AppTest)",
            f"{_n(g('content', 'app_on_broken_content', 'broken_files_tried'))} folders, "
            f"{_n(g('content', 'app_on_broken_content', 'app_runs'))} app runs; tracebacks "
            f"shown: {_n(g('content', 'app_on_broken_content', 'tracebacks_shown'))}",
        ),
        (
            "Bad links",
            "Hypothesis query strings on every page",
            f"{_n(g('urls', 'arbitrary_links', 'app_examples'))} links in the app + "
            f"{_n(g('urls', 'arbitrary_links', 'read_query_examples'))} for read_query; "
            f"exceptions {_n(g('urls', 'arbitrary_links', 'exceptions'))}, tracebacks "
            f"{_n(g('urls', 'arbitrary_links', 'tracebacks_shown'))}",
        ),
        (
            "Injection",
            "titles, search, CSV formulas, brief links, SQL in every field",
            f"HTML rendered {_n(g('injection', 'markup_formulas_sql', 'html_rendered'))}, "
            "live formulas "
            f"{_n(g('injection', 'markup_formulas_sql', 'formulas_left_active'))}, SQL built "
            f"from strings {_n(g('injection', 'markup_formulas_sql', 'sql_built_from_strings'))}",
        ),
        (
            "Rooms under faults",
            "SIGKILL mid-submission, SQLite locked, PostgreSQL stopped",
            "answers lost: "
            + ", ".join(
                f"{name} {_n(g('rooms', name, 'answers_lost'))}{_mark(f, 'rooms', name)}"
                for name in ("sigkill_mid_submission", "sqlite_locked", "postgres_stopped")
            ),
        ),
        (
            "Token guessing",
            "random facilitator keys against the store and the app",
            f"{_n(g('rooms', 'token_guessing', 'tokens_guessed'))} tried, "
            f"{_n(g('rooms', 'token_guessing', 'accepted'))} accepted",
        ),
        (
            "Code enumeration",
            "the failed-lookup limit over a 2-hour workshop",
            f"P(hit one of {_n(g('rooms', 'code_enumeration', 'live_rooms'))} live rooms) "
            f"= {_n(g('rooms', 'code_enumeration', 'p_hit_with_limit'))} per browser session",
        ),
        (
            "Concurrent sessions",
            "20 Chromium sessions with their own links",
            f"{_n(g('sessions', 'twenty_concurrent_sessions', 'states_matching_own_link'))} of "
            f"{_n(g('sessions', 'twenty_concurrent_sessions', 'states_checked'))} states "
            "matched their own link",
        ),
        (
            "Production settings",
            "the server spoken to as a browser does",
            "details leaked "
            f"{_n(g('production', 'through_the_server', 'details_leaked'))}; cross-site "
            "requests refused "
            f"{_n(g('production', 'through_the_server', 'cross_site_requests_refused'))} of "
            f"{_n(g('production', 'through_the_server', 'cross_site_requests_tried'))}",
        ),
    ]
    out = ["| family | what is tried | measured |", "| --- | --- | --- |"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return out


def render(f: Figures) -> str:
    failed = f.failures()
    lines = [
        "# Reliability: nothing breaks, nothing is lost, no one takes over a room",
        "",
        "<!-- Generated by `python -m tests.support.reliability_report` from",
        "     test-artifacts/reliability/*.json after a full test run; never edit by hand. -->",
        "",
        "Every figure below was counted by a test in the last full run (`CI=true`, PostgreSQL",
        "and Chromium present); tests/support/measurements.py writes only what was counted, and",
        "marks an entry no test reached in that run as stale.",
        "",
    ]
    if failed:
        lines += ["## This run had failures", ""]
        lines += [f"- {item}" for item in failed]
        lines += [""]
    lines += ["## The attacks of issue 15, before and after", ""]
    lines += attacks(f)
    lines += ["", "## The attacks of issue 24, before and after", ""]
    lines += round_three(f)
    lines += ["", *THREAT_MODEL]
    lines += ["", "## The families", ""]
    lines += families(f)
    lines += [
        "",
        "## How to run",
        "",
        "```bash",
        "source .ci/postgres.sh   # a throwaway PostgreSQL; sets EXPLORER_TEST_POSTGRES_URL",
        "CI=true EXPLORER_SOURCES_DIR=../shared/sources .venv/bin/python -m pytest tests -q",
        ".venv/bin/python -m tests.support.reliability_report   # this page",
        "```",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    OUT.write_text(render(Figures()), encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
