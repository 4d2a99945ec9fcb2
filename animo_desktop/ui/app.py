"""Run the desktop app: settings, logging, the controller, the window, the event loop."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from functools import partial
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from animo_desktop import __version__, paths
from animo_desktop.emotions import Emotion
from animo_desktop.generation.backend import BackendOptions, require_model
from animo_desktop.generation.model_locator import ModelLoadError
from animo_desktop.session import SessionFolder, now_iso
from animo_desktop.settings import SETTINGS_FILE_NAME, load_settings, save_settings
from animo_desktop.vision.smoothing import SmoothingSettings
from animo_desktop.ui.camera_panel import NO_CAMERA
from animo_desktop.ui.camera_worker import CameraWorker
from animo_desktop.ui.consent_dialog import consent_dialog
from animo_desktop.lora_training.training_plan import TrainingPlan
from animo_desktop.ui.main_window import MainWindow, ask_in_words
from animo_desktop.ui.session_controller import SessionController
from animo_desktop.ui.worker_thread import WorkerThread
from animo_desktop.ui.theme import app_icon, apply_theme

log = logging.getLogger(__name__)

# OSError: unreadable file; ValueError: not JSON, or a field of the wrong type.
UNREADABLE_SESSION_ERRORS = (OSError, ValueError)
RESTORE_TEXT = "Restore the session"
START_NEW_TEXT = "Start a new session"


def run_app(args: argparse.Namespace) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("ANIMO")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    # Ctrl+C in the terminal closes the app like any other quit.
    signal.signal(signal.SIGINT, lambda *_: app.closeAllWindows())

    window, controller = build_window(args)
    _quit_on_termination(app, window)
    # A run with --exit-after is a script's or a check's, not a therapist's.
    unattended = args.exit_after is not None
    if args.export:
        window.export_on_close = Path(args.export)
    if unattended:
        QTimer.singleShot(int(args.exit_after * 1000), window.close_without_asking)

    if args.kiosk:
        window.show()
        window.set_kiosk(True)
    elif args.fullscreen:
        window.show()
        window.toggle_fullscreen()
    else:
        window.show()
    # An unattended run never waits on a question.
    ask_consent = controller.settings.consent_notice and not unattended
    QTimer.singleShot(0, partial(open_session, window, controller, args.restore, ask_consent))

    app.exec()
    controller.shutdown()
    # Nor does it leave its export folder and window geometry in the therapist's
    # settings: their next Ctrl+S would export into the script's folder.
    if not unattended:
        save_settings_safely(controller)
    # An artwork lost (a full disk) fails the run too, for the script that ran it.
    return 1 if window.export_failed or window.artworks_lost else 0


# The signals that end a program from outside it: a service manager or `kill` (SIGTERM),
# a logout or a closed terminal (SIGHUP, not on Windows).
TERMINATION_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP")
                            if hasattr(signal, name))


def _quit_on_termination(app: QApplication, window: MainWindow) -> None:
    """SIGTERM and SIGHUP end ANIMO as a quit does (the --export written, the session
    ended and saved, exit status 0), without a question: nobody may be there to answer.
    Python runs a signal handler only between its own bytecodes, so a timer wakes it while
    Qt's event loop waits."""
    def terminate(signum, _frame) -> None:
        log.info("%s received: quitting", signal.Signals(signum).name)
        window.close_without_asking()
        app.closeAllWindows()

    for signum in TERMINATION_SIGNALS:
        signal.signal(signum, terminate)
    waker = QTimer(app)
    waker.timeout.connect(lambda: None)
    waker.start(200)


def build_window(args: argparse.Namespace) -> tuple[MainWindow, SessionController]:
    """The controller and window for these options (the event loop not yet started).
    ModelLoadError: `--backend diffusion` and no model it can use; ServerAddressError:
    a server URL or token refused (plain http to another computer)."""
    settings_file = paths.config_dir() / SETTINGS_FILE_NAME
    settings, warnings = load_settings(settings_file)
    model = args.model or settings.model or None
    if args.backend == "diffusion":
        # Asked for by name: with no model to use, say so before any window opens rather
        # than let the painter make the session's artworks (as `auto` does, and the
        # backend setting, which the side panel can change).
        try:
            require_model(model)
        except ModelLoadError as error:
            raise ModelLoadError(f"--backend diffusion: {error}") from error
    options = BackendOptions(settings, model=model, lora_dir=args.lora_dir, device=args.device,
                             server_ca_file=args.server_ca_file, server_token=args.server_token,
                             server_checkpoint=args.server_checkpoint)
    # A --server of its own means that server, whatever the backend setting says.
    chosen = options.choose(args.backend or ("auto" if args.server else settings.backend),
                            args.server or settings.server_url)
    apply_theme(QApplication.instance(), settings.theme)
    sessions_root = Path(args.session_dir) if args.session_dir else paths.sessions_dir()
    controller = SessionController(settings, sessions_root, chosen.factory)
    controller.backend_options, controller.chosen_backend = options, chosen
    window = MainWindow(controller, TrainingPlan(model=model, lora_dir=args.lora_dir,
                                                 device=args.device))
    window.restore_geometry(settings.window_geometry)
    for text in warnings:
        log.warning(text)
        window.show_message("warning", text)
    if args.emotion:
        controller.pin(Emotion.parse(args.emotion))
    use_source(window, controller, camera_source(args))
    window.camera_panel.source_chosen.connect(
        lambda source: use_source(window, controller, source, start=True))
    controller.start_generation()
    return window, controller


def use_source(window: MainWindow, controller: SessionController, source: str | None,
               start: bool = False) -> None:
    """Watch `source` (a camera number or a file; None or "none": no camera) from now on."""
    if controller.camera is not None:
        window.disconnect_camera(controller.camera.worker)
        controller.detach_camera()
    source = None if source in (None, NO_CAMERA) else source
    window.camera_panel.show_source(source)
    if source is None:
        return
    worker = CameraWorker(source, make_analyzer,
                          SmoothingSettings(dwell_s=controller.settings.emotion_dwell_seconds))
    controller.attach_camera(WorkerThread(worker, worker.run, "animo-camera"))
    window.connect_camera(worker)
    if start:
        start_camera(window, controller, ask_consent=controller.settings.consent_notice
                     and not window.camera_panel.consented)


def camera_source(args: argparse.Namespace) -> str | None:
    """What the camera worker watches, or None for no camera at all."""
    if args.demo:
        from animo_desktop.vision.sources import DEMO_VIDEO
        return str(DEMO_VIDEO)
    return None if args.source.strip().lower() == "none" else args.source


def make_analyzer():
    """Built in the camera thread: loading the face and emotion models takes a moment."""
    from animo_desktop.vision.analyzer import EmotionAnalyzer
    return EmotionAnalyzer("video")


def open_session(window: MainWindow, controller: SessionController, restore: str,
                 ask_consent: bool = True) -> None:
    """With a camera and `ask_consent`, tell the client first: nothing starts (no artwork,
    no session clock) before the notice is answered. Then restore an unfinished session
    (asking the therapist, unless told) or start anew, and the camera if agreed."""
    def begin(with_camera: bool) -> None:
        begin_session(window, controller, restore)
        if with_camera:
            controller.camera.start()

    if controller.camera is None:
        begin(False)
    elif ask_consent:
        window.show_message("info", "The session starts once “Before the session” is "
                                    "answered.")
        ask_camera_consent(window, begin)
    else:
        begin(True)


def start_camera(window: MainWindow, controller: SessionController, ask_consent: bool) -> None:
    """Start a camera chosen during the session, after telling the client when asked."""
    def start_if(agreed: bool) -> None:
        if agreed:
            controller.camera.start()

    if ask_consent:
        ask_camera_consent(window, start_if)
    else:
        start_if(True)


def ask_camera_consent(window: MainWindow, answered: Callable[[bool], None]) -> None:
    """No frame is read before the client has been told what happens to it; `answered`
    gets whether the camera may start (declined: the session goes on without it)."""
    box = consent_dialog(window, window.controller.artwork_server)

    def clicked(button) -> None:
        agreed = box.buttonRole(button) == QMessageBox.ButtonRole.AcceptRole
        if agreed:
            window.camera_panel.consented = True
        else:
            window.camera_panel.set_active(False)
            window.camera_panel.show_status("Camera off for this session: pin emotions by hand")
        answered(agreed)

    box.buttonClicked.connect(clicked)
    box.open()


def begin_session(window: MainWindow, controller: SessionController, restore: str) -> None:
    """Restore an unfinished session (asking the therapist, unless told) or start anew."""
    unfinished = controller.claim_unfinished_session()
    if unfinished is not None and restore == "ask":
        restore = "yes" if ask_in_words(
            window, QMessageBox.Icon.Question, "Restore session",
            f"ANIMO closed unexpectedly during the session in\n{unfinished.path}\n\n"
            "Restore it and carry on?", RESTORE_TEXT, START_NEW_TEXT,
            default_yes=True) else "no"
    if unfinished is not None and restore == "yes":
        try:
            count = controller.restore_session(unfinished)
        except UNREADABLE_SESSION_ERRORS as error:
            set_aside(window, unfinished, error)
        else:
            window.show_message("info", f"Session restored with {count} artworks.")
            return
    elif unfinished is not None:
        close_abandoned(window, unfinished)
    controller.new_session()


def close_abandoned(window: MainWindow, folder: SessionFolder) -> None:
    """Mark a session the therapist chose not to restore as ended; its files stay, but for
    the temporary files a crash left."""
    folder.remove_leftovers()
    try:
        session = folder.load()
    except UNREADABLE_SESSION_ERRORS as error:
        set_aside(window, folder, error)
        return
    session.ended_at = now_iso()
    try:
        folder.save(session)
    except OSError as error:
        log.warning("could not close the abandoned session %s: %s", folder.path, error)


def set_aside(window: MainWindow, folder: SessionFolder, error: Exception) -> None:
    """An unfinished session that cannot be read back is renamed out of the way, not
    offered at every launch, and the therapist told; a new session starts."""
    log.error("the unfinished session %s cannot be read back: %s", folder.path, error)
    try:
        kept_as = f"its state is kept as {folder.set_aside().name}"
    except OSError as rename_error:
        log.error("could not set the session %s aside: %s", folder.path, rename_error)
        kept_as = "it stays as it is"
    window.show_message("error", f"The unfinished session in {folder.path} cannot be read "
                                 f"back ({error}): {kept_as}, and a new session starts.")


def save_settings_safely(controller: SessionController) -> None:
    try:
        save_settings(paths.config_dir() / SETTINGS_FILE_NAME, controller.settings)
    except OSError as error:
        log.warning("settings not saved: %s", error)
