"""The command line: same verdict as the API, and a content check that names problems."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from explorer import evaluate
from explorer.cli import main
from tests.conftest import REPO_ROOT
from tests.support.bad_content import SOURCES_DIR, apply_case, case_params, requires_sources

ARGS = ["goal=specific", "timeframe=weeks", "stage=mid", "structure=formal"]


def test_verdict_json_matches_the_api(capsys):
    assert main(["verdict", *ARGS, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = evaluate(dict(a.split("=") for a in ARGS))
    assert printed["verdict"] == expected.verdict == "coaching"
    assert printed["lean"] == pytest.approx(expected.lean, abs=1e-4)
    assert printed["match"]["coaching"] == pytest.approx(expected.match["coaching"], abs=0.1)


def test_verdict_text_names_verdict_reasons_and_citations(capsys):
    assert main(["verdict", *ARGS]) == 0
    out = capsys.readouterr().out
    assert "Verdict: Coaching" in out
    assert "Top reasons:" in out and "MvC-Top" in out
    assert "What would change it:" in out


def test_verdict_json_gives_each_reason_its_basis_and_claims(capsys):
    assert main(["verdict", "goal=specific", "network=no", "structure=formal", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["reasons"]
    for reason in printed["reasons"]:
        assert reason["basis"] in ("quote", "contrast", "editorial")
        assert reason["basis"] == "editorial" or reason["claims"]
        assert reason["against_verdict"] == (reason["favours"] != printed["verdict"])
        assert all(source["basis"] for source in reason["need_from"])


def test_verdict_shows_the_contested_topic_in_text_and_json(capsys, content):
    assert main(["verdict", *ARGS]) == 0
    out = capsys.readouterr().out
    assert main(["verdict", *ARGS, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    for topic in content.contested:
        assert topic.label in out and "does not pick a side" in out
        assert topic.id in {c["topic"] for c in printed["contested"]}


def test_a_blend_at_lean_zero_reads_as_even_not_clear(capsys):
    assert main(["verdict", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["verdict"] == "blend" and printed["lean"] == 0
    assert printed["strength_label"] == "even"
    assert "clear" not in printed["verdict_words"].lower()


def test_unknown_option_exits_non_zero_naming_it(capsys):
    assert main(["verdict", "goal=banana"]) == 2
    err = capsys.readouterr().err
    assert "'banana'" in err and "holistic" in err


def test_malformed_pair_is_rejected(capsys):
    assert main(["verdict", "goal"]) == 2
    assert "key=option" in capsys.readouterr().err


@requires_sources
def test_check_passes_on_shipped_content_with_quotes_checked(capsys):
    assert main(["check", "--strict", "--sources", str(SOURCES_DIR)]) == 0
    out = capsys.readouterr().out
    assert "content OK" in out and "quotes checked" in out


def test_check_without_sources_says_quotes_were_not_checked(capsys, monkeypatch):
    monkeypatch.delenv("EXPLORER_SOURCES_DIR", raising=False)
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "NOT checked" in out and "checked against" not in out


def test_strict_check_fails_when_the_sources_are_missing(capsys, tmp_path):
    assert main(["check", "--strict", "--sources", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "NOT checked" in captured.out and "--strict" in captured.err


def test_strict_check_fails_when_one_article_is_absent(capsys, tmp_path):
    (tmp_path / "mentoring-vs-coaching-top-mentors.txt").write_text("x", encoding="utf-8")
    assert main(["check", "--strict", "--sources", str(tmp_path)]) == 1
    assert "career-mentoring-vs-coaching-9-points.txt" in capsys.readouterr().out


@pytest.mark.parametrize(("case", "file", "edit", "key"), case_params())
def test_check_fails_naming_file_and_key_of_each_bad_fixture(
    content_copy, capsys, case, file, edit, key
):
    apply_case(content_copy, file, edit)
    sources = ["--sources", str(SOURCES_DIR)] if SOURCES_DIR else []
    assert main(["check", "--content", str(content_copy), *sources]) == 1
    err = capsys.readouterr().err
    assert any(file in line and key in line for line in err.splitlines()), err


def test_module_entry_point_runs_as_a_process():
    done = subprocess.run(
        [sys.executable, "-m", "explorer", "verdict", *ARGS, "--json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["verdict"] == "coaching"
