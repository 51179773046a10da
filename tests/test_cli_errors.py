"""What a user sees when topicwire itself fails: one line and where the details are."""

from __future__ import annotations

from pathlib import Path

import pytest

import topicwire.cli as cli
from topicwire.errors import TopicwireError


def _run_main(monkeypatch: pytest.MonkeyPatch, raised: BaseException) -> int:
    def broken() -> None:
        raise raised

    monkeypatch.setattr(cli, "app", broken)
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    return int(stopped.value.code or 0)


def test_a_bug_prints_one_line_and_logs_the_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "bugs.log"
    monkeypatch.setenv("TOPICWIRE_BUG_LOG", str(log))
    code = _run_main(monkeypatch, RecursionError("maximum recursion depth exceeded"))
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err + captured.out
    assert "internal error" in captured.err and "RecursionError" in captured.err
    assert str(log) in captured.err.replace("\n", "")
    logged = log.read_text("utf-8")
    assert "Traceback (most recent call last)" in logged and "RecursionError" in logged


def test_our_own_errors_are_one_line_with_exit_code_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run_main(monkeypatch, TopicwireError("the feed is not a feed"))
    captured = capsys.readouterr()
    assert code == 1
    assert "error:" in captured.err and "the feed is not a feed" in captured.err
    assert "Traceback" not in captured.err


def test_ctrl_c_is_interrupted_with_exit_code_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run_main(monkeypatch, KeyboardInterrupt())
    assert code == 130
    assert "interrupted" in capsys.readouterr().err
