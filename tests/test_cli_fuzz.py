"""`animo` with nonsense arguments: a usage message or one sentence, a non-zero exit, and
never a traceback."""

import argparse
import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

import pytest
from hypothesis import given, strategies as st

from animo_desktop.cli import build_parser, main


def _option_strings(parser):
    """Every option and subcommand name the parser knows, subparsers included."""
    names = set()
    for action in parser._actions:  # argparse has no public listing
        names.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                names |= {name} | _option_strings(subparser)
    return names


KNOWN = sorted(_option_strings(build_parser()))
VALUES = ["0", "-1", "1e999", "nan", "inf", "", " ", "joy", "JOY", "none", "cuda", "cpu",
          "painter", "magic", "/nonexistent", "/dev/null/x", "x.ckpt", "\x00", "--", "-"]


@given(st.lists(st.sampled_from(KNOWN) | st.sampled_from(VALUES) | st.text(max_size=8),
                max_size=6))
def test_any_arguments_parse_or_give_a_usage_error(argv):
    stderr = io.StringIO()
    try:
        with redirect_stdout(io.StringIO()), redirect_stderr(stderr):
            build_parser().parse_args(argv)
    except SystemExit as exit:
        assert exit.code in (0, 2)  # 0: --help or --version among the nonsense
        if exit.code == 2:
            assert "error:" in stderr.getvalue()


@pytest.mark.parametrize("argv, complaint", [
    (["bench", "nonsense"], "invalid choice"),
    (["bench", "painter", "--size", "0"], "at least 1"),
    (["bench", "painter", "--per-emotion", "-1"], "at least 1"),
    (["bench", "vision", "--frames", "many"], "not a whole number"),
    (["bench", "swap", "--threads", "0"], "at least 1"),
    (["render", "--emotion", "joy", "--out", "x", "--steps", "0"], "at least 1"),
    (["render", "--out", "x"], "required"),
    (["render", "--emotion", "joy", "--out", "x", "--size", "7"], "multiple of 8 of at least 64"),
    (["render", "--emotion", "joy", "--out", "x", "--size", "100"], "multiple of 8"),
    (["render", "--emotion", "joy", "--out", "x", "--size", "56"], "at least 64"),
    (["render", "--emotion", "joy", "--out", "x", "--size", "big"], "not a whole number"),
    (["bench", "soak", "--size", "7"], "multiple of 8"),
    (["--device", "quantum"], "invalid choice"),
    (["--source"], "expected one argument"),
    (["--exit-after", "1e999"], "positive"),
    (["--restore", "maybe"], "invalid choice"),
    (["classify"], "required"),
    (["--no-such-option"], "unrecognized arguments"),
])
def test_nonsense_is_refused_by_the_parser_with_a_reason(capsys, argv, complaint):
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2
    assert complaint in capsys.readouterr().err


def test_render_with_a_missing_model_is_one_sentence_and_exit_1(capsys, tmp_path):
    assert main(["render", "--emotion", "joy", "--out", str(tmp_path),
                 "--model", str(tmp_path / "missing.safetensors")]) == 1
    assert "missing.safetensors does not exist" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_classify_of_a_missing_file_is_a_json_error_and_exit_1(capsys, tmp_path):
    assert main(["classify", str(tmp_path / "missing.jpg")]) == 1
    line = json.loads(capsys.readouterr().out)
    assert set(line) == {"path", "error"} and "missing.jpg" in line["error"]


@pytest.mark.parametrize("argv, code, complaint", [
    (["bench", "nonsense"], 2, "invalid choice"),
    (["--emotion", "ennui"], 2, "unknown emotion"),
    # A folder that cannot be written: one sentence.
    (["make-tiny-model", "/dev/null/tiny"], 1, "animo make-tiny-model: [Errno 20] Not a dir"),
])
def test_the_real_command_prints_no_traceback(argv, code, complaint):
    result = subprocess.run([sys.executable, "-m", "animo_desktop", *argv], text=True,
                            capture_output=True, timeout=60,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == code and complaint in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
