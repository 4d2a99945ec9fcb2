"""Run the desktop app: settings, logging, the controller, the window, the event loop."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from functools import partial
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from animo_desktop import __version__, paths
from animo_desktop.emotions import Emotion
from animo_desktop.generation.backend import create_backend
from animo_desktop.session import SessionFolder, find_unfinished_session, now_iso
from animo_desktop.settings import SETTINGS_FILE_NAME, load_settings, save_settings
from animo_desktop.ui.main_window import MainWindow
from animo_desktop.ui.session_controller import SessionController
from animo_desktop.ui.theme import app_icon, apply_theme

log = logging.getLogger(__name__)


def run_app(args: argparse.Namespace) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("ANIMO")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    # Ctrl+C in the terminal closes the app like any other quit.
    signal.signal(signal.SIGINT, lambda *_: app.closeAllWindows())

    window, controller = build_window(args)
    if args.export:
        window.export_on_close = Path(args.export)
    if args.exit_after is not None:
        QTimer.singleShot(int(args.exit_after * 1000), window.close_without_asking)

    if args.kiosk:
        window.show()
        window.set_kiosk(True)
    elif args.fullscreen:
        window.show()
        window.toggle_fullscreen()
    else:
        window.show()
    QTimer.singleShot(0, partial(open_session, window, controller, args.restore))

    app.exec()
    controller.shutdown()
    save_settings_safely(controller)
    return 1 if window.export_failed else 0


def build_window(args: argparse.Namespace) -> tuple[MainWindow, SessionController]:
    """The controller and window for these options (the event loop not yet started)."""
    settings_file = paths.config_dir() / SETTINGS_FILE_NAME
    settings, warnings = load_settings(settings_file)
    apply_theme(QApplication.instance(), settings.theme)
    sessions_root = Path(args.session_dir) if args.session_dir else paths.sessions_dir()
    controller = SessionController(settings, sessions_root,
                                   partial(create_backend, args.backend))
    window = MainWindow(controller)
    window.restore_geometry(settings.window_geometry)
    for text in warnings:
        log.warning(text)
        window.show_message("warning", text)
    if args.emotion:
        controller.pin(Emotion.parse(args.emotion))
    controller.start_generation()
    return window, controller


def open_session(window: MainWindow, controller: SessionController, restore: str) -> None:
    """Restore an unfinished session (asking the therapist, unless told) or start anew."""
    unfinished = find_unfinished_session(controller.sessions_root)
    if unfinished is not None and restore == "ask":
        answer = QMessageBox.question(
            window, "Restore session",
            f"ANIMO closed unexpectedly during the session in\n{unfinished.path}\n\n"
            "Restore it and carry on?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes)
        restore = "yes" if answer == QMessageBox.StandardButton.Yes else "no"
    if unfinished is not None and restore == "yes":
        try:
            count = controller.restore_session(unfinished)
        except (OSError, ValueError, KeyError) as error:
            log.error("session %s could not be restored: %s", unfinished.path, error)
            window.show_message("error", f"The unfinished session could not be restored "
                                         f"({error}); a new session starts.")
        else:
            window.show_message("info", f"Session restored with {count} artworks.")
            return
    if unfinished is not None:
        close_abandoned(unfinished)
    controller.new_session()


def close_abandoned(folder: SessionFolder) -> None:
    """Mark a session the therapist chose not to restore as ended; its files stay."""
    try:
        session = folder.load()
        session.ended_at = now_iso()
        folder.save(session)
    except (OSError, ValueError, KeyError) as error:
        log.warning("could not close the abandoned session %s: %s", folder.path, error)


def save_settings_safely(controller: SessionController) -> None:
    try:
        save_settings(paths.config_dir() / SETTINGS_FILE_NAME, controller.settings)
    except OSError as error:
        log.warning("settings not saved: %s", error)
