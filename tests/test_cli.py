"""The command line: same verdict as the API, and a content check that names problems."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from explorer import evaluate
from explorer.cli import main
from tests.bad_content import apply_case, case_params
from tests.conftest import REPO_ROOT

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


def test_unknown_option_exits_non_zero_naming_it(capsys):
    assert main(["verdict", "goal=banana"]) == 2
    err = capsys.readouterr().err
    assert "'banana'" in err and "holistic" in err


def test_malformed_pair_is_rejected(capsys):
    assert main(["verdict", "goal"]) == 2
    assert "key=option" in capsys.readouterr().err


def test_check_passes_on_shipped_content(capsys):
    assert main(["check"]) == 0
    assert "content OK" in capsys.readouterr().out


@pytest.mark.parametrize(("case", "file", "edit", "key"), case_params())
def test_check_fails_naming_file_and_key_of_each_bad_fixture(
    content_copy, capsys, case, file, edit, key
):
    apply_case(content_copy, file, edit)
    assert main(["check", "--content", str(content_copy)]) == 1
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
