"""The `animo` command: run the app (default), or a subcommand such as `doctor`.

Run options sit at the top level (`animo --kiosk`); subcommands live in
`animo_desktop.commands`, one module each, so new tools slot in without touching the
app's options.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Sequence

from animo_desktop import __version__
from animo_desktop.commands import COMMAND_MODULES
from animo_desktop.emotions import Emotion, accepted_emotion_words
from animo_desktop.generation.backend import (BACKEND_CHOICES, add_model_arguments,
                                              add_server_arguments)


def _emotion(text: str) -> str:
    try:
        return Emotion.parse(text).value
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value < 7 * 24 * 3600:
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def _source(text: str) -> str:
    """A camera number, 'none', or a file that exists: a mistyped path is refused at once,
    while a camera that is not plugged in yet may be by the time the session starts."""
    stripped = text.strip()
    if stripped.lower() == "none" or (stripped.isascii() and stripped.isdigit()):
        return text
    if not Path(stripped).is_file():
        raise argparse.ArgumentTypeError(f"{stripped} is not a file (a source is a camera "
                                         "number, a video or image file, or 'none')")
    return text


def _png_path(text: str) -> str:
    """The export is always PNG: a name that says otherwise would mislead every viewer."""
    if text.lower().endswith(".png"):
        return text
    path = Path(text)
    suggestion = path.with_suffix(".png") if path.name else path / "canvas.png"
    raise argparse.ArgumentTypeError(f"the export is a PNG: name it {suggestion}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="animo",
        description="ANIMO: turns the client's facial expression into a growing canvas of "
                    "artworks. With no subcommand, opens the main window.",
        epilog="Installation mode: leave it with Ctrl+Alt+Shift+X (Escape does not).")
    parser.add_argument("--version", action="version", version=f"ANIMO {__version__}")
    run = parser.add_argument_group("running the app")
    run.add_argument("--fullscreen", action="store_true", help="open full screen")
    run.add_argument("--kiosk", action="store_true",
                     help="installation mode: canvas only, full screen, cursor hidden")
    run.add_argument("--session-dir", metavar="DIR",
                     help="folder that holds the session folders (default: the user data "
                          "folder)")
    run.add_argument("--exit-after", metavar="SECONDS", type=_positive_seconds,
                     help="close cleanly after this time (exporting first with --export)")
    run.add_argument("--export", metavar="PATH.png", type=_png_path,
                     help="export the canvas to this PNG when the app closes")
    run.add_argument("--backend", choices=BACKEND_CHOICES,
                     help="artwork generator (default: the backend setting, which the side "
                          "panel chooses; auto at first: Stable Diffusion when a model is "
                          "found, else the built-in painter, or the server with --server; "
                          "diffusion: refused when none is found; comfyui: a ComfyUI server, "
                          "--server)")
    add_model_arguments(run)
    add_server_arguments(run)
    run.add_argument("--emotion", type=_emotion, metavar="NAME",
                     help=f"start with this emotion pinned: {accepted_emotion_words()}")
    run.add_argument("--source", default="0", metavar="SOURCE", type=_source,
                     help="what the camera worker watches: a camera number (default 0), a "
                          "video file (looped) or an image file; 'none' for no camera")
    run.add_argument("--demo", action="store_true",
                     help="watch the bundled demo video instead of a camera")
    run.add_argument("--restore", choices=("ask", "yes", "no"),
                     help="restore an unfinished session (default: ask; 'no' with "
                          "--exit-after)")
    run.add_argument("-v", "--verbose", action="store_true", help="log debug messages")

    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        module = importlib.import_module(module_name)
        subparser = commands.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        subparser.set_defaults(run_command=module.run)
        module.add_arguments(subparser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command:
        try:
            return args.run_command(args)
        except OSError as error:
            # A folder that cannot be written, a full disk: one sentence, not a traceback.
            print(f"animo {args.command}: {error}", file=sys.stderr)
            return 1
    if args.restore is None:
        # An unattended run never waits on a question.
        args.restore = "no" if args.exit_after is not None else "ask"

    from animo_desktop import paths
    from animo_desktop.generation.comfyui.server_address import ServerAddressError
    from animo_desktop.generation.model_locator import ModelLoadError
    from animo_desktop.logging_setup import configure_logging
    from animo_desktop.ui.app import run_app

    configure_logging(paths.log_dir(), verbose=args.verbose)
    try:
        return run_app(args)
    # --backend diffusion with no model it can use; a server address or token refused
    except (ModelLoadError, ServerAddressError) as error:
        print(f"animo: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
