"""The main window: canvas, the therapist's side panel, menus, status bar, and the
full-screen and installation (kiosk) modes."""

from __future__ import annotations

import html
import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QPoint, QRect, Qt, Slot
from PySide6.QtGui import (QAction, QActionGroup, QCloseEvent, QColor, QIcon, QKeyEvent,
                           QKeySequence, QPixmap, QShortcut)
from PySide6.QtWidgets import (QAbstractButton, QApplication, QColorDialog, QComboBox, QDoubleSpinBox,
                               QFileDialog,
                               QFormLayout, QFrame, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QMainWindow, QMenu, QMessageBox, QProgressBar, QPushButton,
                               QScrollArea, QVBoxLayout, QWidget)

from animo_desktop import __version__
from animo_desktop.composition import BACKGROUND_PRESETS, CompositionMode
from animo_desktop.messages import BackendInfo, GenerationProgress
from animo_desktop.paths import default_export_dir
from animo_desktop.messages import FrameReading
from animo_desktop.ui.camera_panel import CameraPanel
from animo_desktop.ui.camera_worker import CameraWorker
from animo_desktop.ui.canvas_view import CanvasView
from animo_desktop.lora_training.training_plan import TrainingPlan
from animo_desktop.ui.emotion_panel import EmotionPanel
from animo_desktop.ui.lora_training_dialog import LoraTrainingDialog
from animo_desktop.ui.images import to_qpixmap
from animo_desktop.ui.session_controller import SessionController, SessionState
from animo_desktop.ui.summary_dialog import SummaryDialog
from animo_desktop.ui.theme import apply_theme, themed_icon
from animo_desktop.ui.timeline_strip import TimelineStrip
from animo_desktop.ui.wheel_guard import scroll_past_unfocused_controls

log = logging.getLogger(__name__)

# Leaves installation mode. Three modifiers: a client at the keyboard will not hit it.
KIOSK_EXIT_KEYS = "Ctrl+Alt+Shift+X"
SIDE_PANEL_WIDTH = 300
FIRST_LAUNCH_SIZE = (1280, 860)  # the canvas and the whole side panel side by side
OTHER_COLOUR_TEXT = "Other colour…"
QUIT_TEXT = "Quit without exporting"
KEEP_WORKING_TEXT = "Keep working"
QUIT_LOSING_TEXT = "Quit and lose them"
REPLACE_TEXT = "Replace the file"
DONT_REPLACE_TEXT = "Keep the old file"
# The side panel's names of BACKEND_CHOICES.
BACKEND_NAMES = {"auto": "Automatic", "painter": "Built-in painter",
                 "diffusion": "Stable Diffusion on this computer",
                 "comfyui": "The clinic's ComfyUI server"}
RESUME_TIP = "Carry on with the paused session (Ctrl+P)"
NEW_SESSION_TIP = "Start a new session with an empty canvas"

SHORTCUTS_TITLE = "<b>Keyboard</b>"


def ask_in_words(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str,
                 yes_text: str, no_text: str, default_yes: bool = False,
                 yes_role: QMessageBox.ButtonRole = QMessageBox.ButtonRole.AcceptRole) -> bool:
    """A yes / no question whose buttons say what happens, in words (no Yes / No, no
    standard icons); Escape always answers no_text."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes_button = box.addButton(yes_text, yes_role)
    no_button = box.addButton(no_text, QMessageBox.ButtonRole.RejectRole)
    for button in (yes_button, no_button):
        button.setIcon(QIcon())
    box.setDefaultButton(yes_button if default_yes else no_button)
    box.setEscapeButton(no_button)
    box.exec()
    answer = box.clickedButton() is yes_button
    box.deleteLater()
    return answer


def swatch(colour: str) -> QIcon:
    pixmap = QPixmap(16, 16)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class MainWindow(QMainWindow):
    def __init__(self, controller: SessionController,
                 training_plan: TrainingPlan = TrainingPlan()):
        super().__init__()
        self.controller = controller
        # Tools ▸ Train emotion LoRAs: the session's model and LoRA folder to begin with.
        self._training_plan = training_plan
        self.lora_training_dialog: LoraTrainingDialog | None = None
        self.kiosk = False
        # The window as it was before full screen / installation mode, given back after.
        self._geometry_before_fullscreen: tuple[QRect, bool] | None = None
        self._fullscreen_before_kiosk = False
        self._closing_confirmed = False
        # What shows which icon (buttons, actions), recoloured when the theme changes.
        self._icons: list[tuple[object, str]] = []
        # Set by --export: the canvas is written there when the window closes.
        self.export_on_close: Path | None = None
        self.export_failed = False
        # Artworks that never reached the session folder (a full disk) when ANIMO quit.
        self.artworks_lost = 0
        self.setWindowTitle("ANIMO")
        self.setMinimumSize(800, 560)

        self.canvas_view = CanvasView()
        self.timeline_strip = TimelineStrip()
        self.emotion_panel = EmotionPanel()
        self.camera_panel = CameraPanel()
        self.side_panel = self._build_side_panel()
        canvas_column = QVBoxLayout()
        canvas_column.setContentsMargins(0, 0, 0, 0)
        canvas_column.setSpacing(0)
        canvas_column.addWidget(self.canvas_view, 1)
        canvas_column.addWidget(self.timeline_strip)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(canvas_column, 1)
        layout.addWidget(self.side_panel)
        self.setCentralWidget(central)

        self._build_actions()
        self._build_status_bar()
        self._connect_controller()
        self._apply_icons()
        self._show_state(self.controller.state)

    # --- construction ----------------------------------------------------------------
    def _build_side_panel(self) -> QWidget:
        # In a scroll area: on a short screen (a 1366 x 768 laptop) the controls scroll
        # rather than squeeze into each other.
        scroller = QScrollArea()
        scroller.setObjectName("sidePanel")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        panel = QWidget()
        panel.setObjectName("sidePanelContents")
        scroller.setWidget(panel)
        layout = QVBoxLayout(panel)
        layout.addWidget(self.emotion_panel)
        self.emotion_panel.pin_requested.connect(self.controller.pin)

        theme_box = QGroupBox("Theme")
        theme_layout = QVBoxLayout(theme_box)
        self.theme_edit = QLineEdit()
        self.theme_edit.setPlaceholderText("e.g. the sea, a garden, home")
        self.theme_edit.setToolTip("A theme the artworks draw on (used by the diffusion "
                                   "backend; recorded with every artwork)")
        self.theme_edit.textChanged.connect(self.controller.set_theme)
        theme_layout.addWidget(self.theme_edit)
        layout.addWidget(theme_box)
        layout.addWidget(self.camera_panel)

        session_box = QGroupBox("Session")
        session_layout = QVBoxLayout(session_box)
        row = QHBoxLayout()
        # Shown only when it does something: "Resume" while paused, "New session" once
        # ended; while the session runs, Pause takes its place.
        self.start_button = QPushButton("Resume")
        self.start_button.setToolTip(RESUME_TIP)
        self.start_button.clicked.connect(self.controller.resume)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setToolTip("Stop making new artworks for now (Ctrl+P)")
        self.pause_button.clicked.connect(self.controller.pause)
        self.end_button = QPushButton("End")
        self.end_button.setToolTip("End the session; the canvas stays and can be exported")
        self.end_button.clicked.connect(self._end_session)
        self.export_button = QPushButton("Export")
        self.export_button.setToolTip("Save the whole canvas as a PNG (Ctrl+S)")
        self.export_button.clicked.connect(self.export_now)
        # One row: the panel, camera included, fits a 1280 x 860 window without scrolling.
        for button in (self.start_button, self.pause_button, self.end_button,
                       self.export_button):
            row.addWidget(button)
        self._icons += [(self.start_button, "start"), (self.pause_button, "pause"),
                        (self.end_button, "end")]
        session_layout.addLayout(row)
        self._icons += [(self.export_button, "export"),
                        (self.emotion_panel.release_button, "release_pin"),
                        (self.camera_panel.calibrate_button, "calibrate"),
                        (self.camera_panel.preview_box, "preview")]
        settings_form = QFormLayout()
        self.composition_box = QComboBox()
        # Qt hands str-based enums back as plain strings: store the values.
        for mode in CompositionMode:
            self.composition_box.addItem(mode.display_name, mode.value)
        self.composition_box.setCurrentIndex(
            self.composition_box.findData(self.controller.settings.composition))
        self.composition_box.setToolTip("How the artworks meet on the canvas; switching keeps "
                                         "every artwork")
        self.composition_box.currentIndexChanged.connect(
            lambda: self.set_composition(CompositionMode(self.composition_box.currentData())))
        settings_form.addRow("Composition", self.composition_box)
        self.cadence_box = QDoubleSpinBox()
        self.cadence_box.setRange(1.0, 600.0)
        self.cadence_box.setDecimals(0)
        self.cadence_box.setSuffix(" s")
        self.cadence_box.setValue(self.controller.settings.cadence_seconds)
        self.cadence_box.setToolTip("While an emotion holds, a new artwork every this many "
                                    "seconds (a change of emotion makes one at once)")
        self.cadence_box.valueChanged.connect(self.controller.set_cadence)
        settings_form.addRow("New artwork every", self.cadence_box)
        self.lora_strength_box = QDoubleSpinBox()
        self.lora_strength_box.setRange(0.0, 1.5)
        self.lora_strength_box.setSingleStep(0.1)
        self.lora_strength_box.setDecimals(1)
        self.lora_strength_box.setValue(self.controller.settings.lora_strength)
        self.lora_strength_box.setToolTip("How strongly each emotion's LoRA (its trained "
                                          "style) shapes the artworks: 0 = prompt only, 1 = "
                                          "as trained, up to 1.5 (Stable Diffusion only)")
        self.lora_strength_box.valueChanged.connect(self.controller.set_lora_strength)
        settings_form.addRow("Emotion style", self.lora_strength_box)
        self.background_box = QComboBox()
        self.background_box.setToolTip("The canvas colour under the artworks: for the next "
                                       "session, or this one while its canvas is empty")
        for name, colour in BACKGROUND_PRESETS.items():
            self.background_box.addItem(swatch(colour), name, colour)
        self.background_box.addItem(OTHER_COLOUR_TEXT, None)
        self._show_background(self.controller.settings.canvas_background)
        self.background_box.activated.connect(self._background_chosen)
        settings_form.addRow("Background", self.background_box)
        # Set once a session, like the theme and the camera: after them, so that at the
        # first launch size both start above the fold.
        settings_box = QGroupBox("Canvas and cadence")
        settings_box.setObjectName("settingsBox")
        settings_box.setLayout(settings_form)
        self.session_label = QLabel()
        self.session_label.setObjectName("sessionLabel")
        self.session_label.setWordWrap(True)
        session_layout.addWidget(self.session_label)
        # Right under the emotion: the controls used all session long stay in view on a
        # short screen. Then in order of use: the theme, given for each client, the camera,
        # set up once, and the canvas settings, seldom changed.
        layout.insertWidget(1, session_box)
        layout.addWidget(settings_box)
        layout.addWidget(self._build_backend_box())  # chosen once, for the room
        layout.addStretch(1)
        scroll_past_unfocused_controls(scroller, panel)
        # At least SIDE_PANEL_WIDTH, wider if the fonts (a large system font, a scaled
        # screen) need it: the controls never clip, with room for the scroll bar.
        scroller.setFixedWidth(max(SIDE_PANEL_WIDTH, panel.minimumSizeHint().width()
                                   + scroller.verticalScrollBar().sizeHint().width()))
        return scroller

    def _build_backend_box(self) -> QGroupBox:
        """The choice of what makes the artworks; the server's waits for its URL."""
        box = QGroupBox("Artworks made by")
        box.setObjectName("backendBox")
        box_layout = QVBoxLayout(box)
        chosen = self.controller.chosen_backend
        server = chosen.server if chosen is not None else None
        self.backend_box = QComboBox()
        for choice, name in BACKEND_NAMES.items():
            self.backend_box.addItem(name, choice)
        self.backend_box.setCurrentIndex(self.backend_box.findData(
            chosen.choice if chosen is not None else self.controller.settings.backend))
        self.backend_box.setToolTip("What makes the artworks from now on. Automatic: Stable "
                                    "Diffusion when a model is found, else the built-in "
                                    "painter. A server is sent each artwork's prompt, never "
                                    "a camera image")
        self.backend_box.currentIndexChanged.connect(self._backend_chosen)
        box_layout.addWidget(self.backend_box)
        self.server_row = QWidget()
        row = QHBoxLayout(self.server_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.server_edit = QLineEdit(server.http_url if server is not None
                                     else self.controller.settings.server_url)
        self.server_edit.setPlaceholderText("https://gpu.clinic:8443")
        self.server_edit.setToolTip("The ComfyUI server's address: https://, or http:// to "
                                    "this computer only. The token of its proxy is never "
                                    "typed here: it comes from ANIMO_SERVER_TOKEN or the "
                                    "server_token setting")
        self.server_edit.returnPressed.connect(self._connect_server)
        self.connect_button = QPushButton("Connect")
        self.connect_button.setToolTip("Have this server make the artworks from now on")
        self.connect_button.clicked.connect(self._connect_server)
        row.addWidget(self.server_edit, 1)
        row.addWidget(self.connect_button)
        box_layout.addWidget(self.server_row)
        self.server_row.setVisible(self.backend_box.currentData() == "comfyui")
        return box

    def _backend_chosen(self) -> None:
        choice = self.backend_box.currentData()
        self.server_row.setVisible(choice == "comfyui")
        if choice == "comfyui":
            self.server_edit.setFocus()  # Connect (or Enter) once the address is there
        else:
            self.controller.choose_backend(choice)

    def _connect_server(self) -> None:
        self.controller.choose_backend("comfyui", self.server_edit.text())

    def _action(self, menu, text: str, keys: str | None, slot, tip: str = "",
                icon: str | None = None) -> QAction:
        action = QAction(text, self)
        if icon:
            self._icons.append((action, icon))
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        # Actions stay reachable by keyboard when the menu bar is hidden (kiosk).
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Export canvas", "Ctrl+S", self.export_now,
                     "Save the canvas as a PNG in the last export folder", "export")
        self._action(file_menu, "Export canvas &as…", "Ctrl+Shift+S", self.export_as,
                     icon="export_as")
        self._action(file_menu, "Session &summary and export…", None, self.show_summary,
                     "Duration, time per emotion, artworks; export with the session record",
                     "summary")
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", "Ctrl+Q", self.close, icon="quit")

        session_menu = self.menuBar().addMenu("&Session")
        self.pause_action = self._action(session_menu, "Pause / resume", "Ctrl+P",
                                         self._toggle_pause, icon="pause")
        self._action(session_menu, "End session", "Ctrl+E", self._end_session,
                     "End the session, then its summary and export", "end")

        view_menu = self.menuBar().addMenu("&View")
        composition_menu = view_menu.addMenu("&Composition")
        self._icons.append((composition_menu, "composition"))
        self.composition_actions = QActionGroup(self)
        for number, mode in enumerate(CompositionMode, start=1):
            action = self._action(composition_menu, mode.display_name, f"Alt+{number}",
                                  lambda _=False, m=mode: self.set_composition(m))
            action.setCheckable(True)
            action.setData(mode.value)
            action.setChecked(mode.value == self.controller.settings.composition)
            self.composition_actions.addAction(action)
        self._action(view_menu, "&Whole canvas", None, self.canvas_view.fit_whole_canvas,
                     "Back to the whole canvas after zooming (or double-click the canvas)",
                     "zoom_fit")
        view_menu.addSeparator()
        self.fullscreen_action = self._action(view_menu, "&Full screen", "F11",
                                              self.toggle_fullscreen, icon="fullscreen")
        # Checked while the window is full screen, however it got there (changeEvent).
        self.fullscreen_action.setCheckable(True)
        self._action(view_menu, "&Installation mode", "Ctrl+K", lambda: self.set_kiosk(True),
                     f"Canvas only, full screen; leave with {KIOSK_EXIT_KEYS}", "installation")
        self.light_theme_action = self._action(view_menu, "&Light theme", None,
                                               self._toggle_theme,
                                               "Light colours for bright rooms", "light_theme")
        self.light_theme_action.setCheckable(True)
        self.light_theme_action.setChecked(self.controller.settings.theme == "light")

        tools_menu = self.menuBar().addMenu("&Tools")
        self._action(tools_menu, "Train emotion &LoRAs…", None, self.show_lora_training,
                     "Train an emotion's LoRA on the artist's own artworks")

        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", "F1", self._show_shortcuts,
                     icon="shortcuts")
        self._action(help_menu, "&About ANIMO", None, self._show_about, icon="about")

        exit_kiosk = QShortcut(QKeySequence(KIOSK_EXIT_KEYS), self)
        exit_kiosk.setContext(Qt.ShortcutContext.ApplicationShortcut)
        exit_kiosk.activated.connect(lambda: self.set_kiosk(False))

    def _build_status_bar(self) -> None:
        self.step_preview = QLabel()
        self.step_preview.setFixedSize(22, 22)
        self.step_preview.setToolTip("The artwork being made, step by step")
        self.statusBar().addPermanentWidget(self.step_preview)
        self.progress_bar = QProgressBar()
        self.progress_bar.setFixedWidth(120)
        self.progress_bar.setFixedHeight(8)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setToolTip("Progress of the artwork being made")
        # Reserve the space even when idle, so the status bar does not jump.
        policy = self.progress_bar.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.progress_bar.setSizePolicy(policy)
        self.progress_bar.hide()
        self.statusBar().addPermanentWidget(self.progress_bar)
        self.backend_label = QLabel("Backend: starting…")
        self.device_label = QLabel("")
        self.timing_label = QLabel("Last artwork: –")
        for label in (self.backend_label, self.device_label, self.timing_label):
            label.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(label)
        # Room for five digits: the labels to its left keep their place as timings change.
        self.timing_label.setMinimumWidth(
            self.timing_label.fontMetrics().horizontalAdvance("Last artwork: 88888 ms") + 16)

    def _connect_controller(self) -> None:
        c = self.controller
        c.canvas_reset.connect(self.canvas_view.reset)
        c.artwork_placed.connect(self.canvas_view.add_artwork)
        c.canvas_relaid.connect(self.canvas_view.relay)
        c.artwork_removed.connect(self.canvas_view.remove_artwork)
        for changed in (c.artwork_placed, c.canvas_relaid, c.artwork_removed):
            changed.connect(self._update_session_label)
        self.canvas_view.artwork_clicked.connect(self.show_artwork_menu)
        c.emotion_changed.connect(self.emotion_panel.show_reading)
        c.emotion_changed.connect(self._show_glyph)
        c.state_changed.connect(self._show_state)
        c.backend_changed.connect(self._show_backend)
        c.artwork_timed.connect(lambda ms: self.timing_label.setText(f"Last artwork: {ms:.0f} ms"))
        c.progress.connect(self._show_progress)
        c.timeline_changed.connect(self.timeline_strip.show_timeline)
        c.message.connect(self.show_message)
        c.exported.connect(lambda path: self.show_message("info", f"Canvas exported to {path}"))

    def connect_camera(self, worker: CameraWorker) -> None:
        """Show what the camera worker senses; send it the therapist's commands."""
        self.camera_panel.set_active(True)
        worker.status.connect(self.camera_panel.show_status)
        worker.preview.connect(self.camera_panel.show_preview)
        worker.calibrated.connect(self.camera_panel.show_calibrated)
        worker.face_event.connect(self._show_face_event)
        worker.frame_read.connect(self._show_frame_reading)
        self.camera_panel.calibrate_requested.connect(worker.calibrate)
        self.camera_panel.preview_toggled.connect(worker.set_preview)

    def disconnect_camera(self, worker: CameraWorker) -> None:
        self.camera_panel.calibrate_requested.disconnect(worker.calibrate)
        self.camera_panel.preview_toggled.disconnect(worker.set_preview)
        self.camera_panel.set_active(False)
        self.camera_panel.show_status("Camera off")

    @Slot(object)
    def _show_frame_reading(self, reading: FrameReading) -> None:
        self.emotion_panel.show_frame(reading)

    @Slot(str)
    def _show_face_event(self, event: str) -> None:
        self.camera_panel.show_status("Face found" if event == "found" else
                                      "No face: the emotion rests at neutral")

    # --- status --------------------------------------------------------------------------
    @Slot(str, str)
    def show_message(self, level: str, text: str) -> None:
        prefix = {"warning": "⚠ ", "error": "✖ "}.get(level, "")
        self.statusBar().showMessage(prefix + text, 15000)

    @Slot(object)
    def _show_progress(self, progress: GenerationProgress) -> None:
        self.progress_bar.setMaximum(progress.total_steps)
        self.progress_bar.setValue(progress.step)
        working = progress.step < progress.total_steps
        self.progress_bar.setVisible(working)
        if progress.preview is not None and working:
            self.step_preview.setPixmap(to_qpixmap(progress.preview).scaled(
                self.step_preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
        elif not working:
            self.step_preview.clear()

    @Slot(object)
    def _show_backend(self, info: BackendInfo) -> None:
        self.backend_label.setText(f"Backend: {info.name}")
        self.backend_label.setToolTip(info.detail)
        self.device_label.setText(f"Device: {info.device}")

    @Slot(object)
    def _show_state(self, state: SessionState) -> None:
        ended = state is SessionState.ENDED
        self.start_button.setText("New session" if ended else "Resume")
        self.start_button.setToolTip(NEW_SESSION_TIP if ended else RESUME_TIP)
        # Before the session begins (the consent notice unanswered) there is nothing to start.
        self.start_button.setVisible(state is not SessionState.RUNNING
                                     and self.controller.session is not None)
        self.pause_button.setVisible(state is SessionState.RUNNING)
        self.end_button.setEnabled(state is not SessionState.ENDED)
        self._update_session_label()

    def _update_session_label(self, *_) -> None:
        session = self.controller.session
        if session is None:
            return
        state = self.controller.state.value
        count = len(session.artworks)
        self.session_label.setText(f"Started at {session.started_at[11:16]} · {state}\n"
                                   f"{count} artwork{'s' if count != 1 else ''} on the canvas")

    def _toggle_theme(self) -> None:
        theme = "light" if self.light_theme_action.isChecked() else "dark"
        self.controller.settings.theme = theme
        apply_theme(QApplication.instance(), theme)
        self._apply_icons()

    def _apply_icons(self) -> None:
        for target, name in self._icons:
            target.setIcon(themed_icon(name, self.controller.settings.theme))

    # --- composition and artworks ----------------------------------------------------
    def _background_chosen(self, position: int) -> None:
        colour = self.background_box.itemData(position)
        if colour is None:  # "Other colour…"
            chosen = QColorDialog.getColor(QColor(self.controller.settings.canvas_background),
                                           self, "Canvas background")
            if not chosen.isValid():
                self._show_background(self.controller.settings.canvas_background)
                return
            colour = chosen.name()
        self.set_canvas_background(colour)

    def set_canvas_background(self, colour: str) -> None:
        self.controller.set_canvas_background(colour)
        self._show_background(colour)

    def _show_background(self, colour: str) -> None:
        position = self.background_box.findData(colour)
        if position < 0:  # a colour of one's own: listed before "Other colour…"
            position = self.background_box.count() - 1
            self.background_box.insertItem(position, swatch(colour), colour, colour)
        self.background_box.setCurrentIndex(position)

    def set_composition(self, mode: CompositionMode) -> None:
        self.controller.set_composition(mode)
        self.composition_box.setCurrentIndex(self.composition_box.findData(mode.value))
        for action in self.composition_actions.actions():
            action.setChecked(action.data() == mode.value)

    @Slot(int, QPoint)
    def show_artwork_menu(self, index: int, position: QPoint) -> QMenu | None:
        """What the therapist can learn and do about one artwork."""
        record = self.controller.artwork(index)
        if record is None or self.kiosk:
            return None
        meta = record.metadata
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        details = [f"{meta.emotion.display_name} · {meta.created_at[11:19]}",
                   f"Seed {meta.seed} · {meta.backend}"
                   + (f" · {meta.model}" if meta.model else ""),
                   f"Prompt: {meta.prompt}" if meta.prompt else "No theme"]
        for line in details:
            menu.addAction(line).setEnabled(False)
        menu.addSeparator()
        menu.addAction("New variant (another seed)",
                       lambda: self.controller.request_variant(index))
        menu.addAction("Remove from canvas", lambda: self.controller.remove_artwork(index))
        menu.popup(position)
        return menu

    # --- session controls ------------------------------------------------------------
    def _toggle_pause(self) -> None:
        if self.controller.state is SessionState.RUNNING:
            self.controller.pause()
        else:
            self.controller.resume()

    def _end_session(self) -> None:
        self.controller.end_session()
        self.show_summary()

    def show_summary(self) -> SummaryDialog | None:
        if self.controller.session is None:
            return None
        self.controller.save_state()  # the summary reads the session as of now
        dialog = SummaryDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # --- export --------------------------------------------------------------------------
    def default_export_path(self) -> Path:
        folder = Path(self.controller.settings.last_export_dir or default_export_dir())
        stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
        return folder / f"animo-session-{stamp}.png"

    @Slot()
    def export_now(self) -> bool:
        return self.export_to(self.default_export_path())

    @Slot()
    def export_as(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Export canvas",
                                                str(self.default_export_path()), "PNG (*.png)")
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".png":
            # Appended, not substituted: "session 12.03" must not become "session 12.png".
            path = path.with_name(f"{path.name}.png")
        # The dialog asked about overwriting the name typed, not the one with .png added.
        if path != Path(chosen) and path.exists() and not self._confirm_overwrite(path):
            return
        self.export_to(path)

    def _confirm_overwrite(self, path: Path) -> bool:
        return ask_in_words(self, QMessageBox.Icon.Question, "Export canvas",
                            f"{path.name} already exists.\n\nReplace it?",
                            REPLACE_TEXT, DONT_REPLACE_TEXT)

    def export_to(self, path: Path) -> bool:
        return self.controller.export(path)

    # --- full screen and installation mode -----------------------------------------------
    @Slot()
    def toggle_fullscreen(self) -> None:
        if self.kiosk:
            return
        if self.isFullScreen():
            self._leave_fullscreen()
        else:
            self._fullscreen_on_current_screen()

    def changeEvent(self, event: QEvent) -> None:
        action = getattr(self, "fullscreen_action", None)
        if action is not None and event.type() == QEvent.Type.WindowStateChange:
            # F11, installation mode, --fullscreen, the window system: the check follows.
            action.setChecked(self.isFullScreen())
        super().changeEvent(event)

    def _fullscreen_on_current_screen(self) -> None:
        if not self.isFullScreen():
            # What leaving full screen gives back: place, size, maximised or not.
            self._geometry_before_fullscreen = (self.geometry(), self.isMaximized())
        # Full screen on the monitor the window is on, not the primary one.
        screen = self.screen()
        if self.windowHandle() is not None and screen is not None:
            self.windowHandle().setScreen(screen)
            self.setGeometry(screen.geometry())
        self.showFullScreen()

    def _leave_fullscreen(self) -> None:
        if self._geometry_before_fullscreen is None:
            self.showNormal()
            return
        geometry, maximised = self._geometry_before_fullscreen
        self.showNormal()
        self.setGeometry(geometry)  # the normal place and size, also under a maximised one
        if maximised:
            self.showMaximized()

    def set_kiosk(self, enabled: bool) -> None:
        if enabled == self.kiosk:
            return
        self.kiosk = enabled
        # Only the therapist's combination acts in installation mode: a visitor at the
        # keyboard can neither quit (Ctrl+Q) nor reveal the controls (F11).
        for action in self.actions():
            action.setEnabled(not enabled)
        self.side_panel.setVisible(not enabled)
        self.timeline_strip.setVisible(not enabled)
        self.menuBar().setVisible(not enabled)
        self.statusBar().setVisible(not enabled)
        self.canvas_view.set_drift(enabled)
        self.canvas_view.set_borderless(enabled)
        self._show_glyph()
        if enabled:
            self.setCursor(Qt.CursorShape.BlankCursor)
            self.canvas_view.viewport().setCursor(Qt.CursorShape.BlankCursor)
            self._fullscreen_before_kiosk = self.isFullScreen()
            self._fullscreen_on_current_screen()
        else:
            self.unsetCursor()
            self.canvas_view.viewport().unsetCursor()
            if not self._fullscreen_before_kiosk:  # full screen before: full screen after
                self._leave_fullscreen()
            self.show_message("info", "Left installation mode")
        log.info("installation mode %s", "on" if enabled else "off")

    def _show_glyph(self, *_) -> None:
        wanted = self.kiosk and self.controller.settings.installation_glyph
        self.canvas_view.show_glyph(self.controller.current.emotion if wanted else None)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.kiosk:
            event.accept()  # Escape and every other key are swallowed in installation mode
            return
        super().keyPressEvent(event)

    # --- help ----------------------------------------------------------------------------
    def shortcuts_help(self) -> str:
        """Every shortcut of the window, read from its actions and buttons themselves (keys
        and words), so that the help cannot drift from what the keys do."""
        native = QKeySequence.SequenceFormat.NativeText
        lines: list[str] = []
        listed: set[QAction] = set()

        def add(keys: QKeySequence, words: str, tip: str = "") -> None:
            told = f"{words} · {tip}" if tip else words
            lines.append(f"{html.escape(keys.toString(native))} — {html.escape(told)}")

        def walk(menu: QMenu, prefix: str = "") -> None:
            for action in menu.actions():
                if action.menu() is not None:
                    walk(action.menu(), f"{prefix}{action.text().replace('&', '')}: ")
                elif not action.shortcut().isEmpty():
                    listed.add(action)
                    add(action.shortcut(), prefix + action.text().replace("&", ""),
                        action.statusTip())

        for menu_action in self.menuBar().actions():
            if menu_action.menu() is not None:
                walk(menu_action.menu())
        for action in self.findChildren(QAction):
            if action not in listed and not action.shortcut().isEmpty():
                add(action.shortcut(), action.text().replace("&", ""), action.statusTip())
        pins = set(self.emotion_panel.pin_buttons.values())
        for button in self.findChildren(QAbstractButton):
            if not button.shortcut().isEmpty():
                add(button.shortcut(),
                    f"Pin {button.text()}" if button in pins else button.text())
        lines.append(f"{html.escape(KIOSK_EXIT_KEYS)} — leave installation mode "
                     "(Escape does not)")
        return SHORTCUTS_TITLE + "<br>" + "<br>".join(lines)

    def show_lora_training(self) -> LoraTrainingDialog:
        """One dialog for the whole run: closed, the training goes on; opened again, it
        shows where it is."""
        if self.lora_training_dialog is None:
            self.lora_training_dialog = LoraTrainingDialog(self._training_plan, self)
            self.lora_training_dialog.lora_trained.connect(self.controller.load_trained_lora)
        self.lora_training_dialog.show()
        self.lora_training_dialog.raise_()
        return self.lora_training_dialog

    def _show_shortcuts(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "Keyboard shortcuts",
                          self.shortcuts_help(),
                          QMessageBox.StandardButton.Close, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _show_about(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "About ANIMO",
                          f"<b>ANIMO {__version__}</b><br>Emotion-driven art for art therapy."
                          "<br>Everything stays on this computer: no camera image is stored "
                          "and nothing is sent over a network.",
                          QMessageBox.StandardButton.Close, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # --- geometry and closing --------------------------------------------------------
    def restore_geometry(self, encoded: str) -> None:
        """Where the therapist left the window; on a first launch, centred and as large as
        FIRST_LAUNCH_SIZE allows on this screen (Qt's default would hide half the panel)."""
        if encoded and self.restoreGeometry(QByteArray.fromBase64(encoded.encode("ascii"))):
            return
        screen = self.screen().availableGeometry()
        self.resize(min(FIRST_LAUNCH_SIZE[0], int(screen.width() * 0.9)),
                    min(FIRST_LAUNCH_SIZE[1], int(screen.height() * 0.9)))
        self.move(screen.center() - self.rect().center())

    def encoded_geometry(self) -> str:
        return bytes(self.saveGeometry().toBase64()).decode("ascii")

    def _unexported_note(self) -> str:
        session = self.controller.session
        if session.exported_up_to is None:
            return "This session's canvas has not been exported."
        count = session.artworks_since_export
        if count == 0:  # an artwork removed, the composition switched
            return "The canvas has changed since the last export."
        return f"{count} artwork{'s' if count != 1 else ''} since the last export."

    def _confirm_unsaved_artworks(self) -> bool:
        """Whether to quit with artworks that could not be saved to the session folder (a
        full disk): the therapist is asked, naming where they can still be exported; with
        no one to ask, the log says so and `artworks_lost` makes the exit status non-zero."""
        count = self.controller.unsaved_artworks()
        if count == 0:
            return True
        folder = self.controller.folder.path
        why = "it was deleted" if self.controller.folder_gone else \
            "the disk is full or not writable"
        lost = (f"{count} artwork{'s' if count != 1 else ''} could not be saved to the "
                f"session folder {folder} ({why})")
        if self._closing_confirmed:
            self.artworks_lost = count
            log.error("%s; they are lost: only an export of the canvas holds them", lost)
            return True
        if not ask_in_words(
                self, QMessageBox.Icon.Warning, "Quit ANIMO",
                f"{lost}: they are only in this window.\n\nExport the canvas before "
                f"quitting (File ▸ Export canvas, to another disk if this one is full), or "
                f"they are lost.\n\nQuit anyway?",
                QUIT_LOSING_TEXT, KEEP_WORKING_TEXT):
            return False
        self.artworks_lost = count
        log.warning("%s; quit anyway", lost)
        self._closing_confirmed = True  # asked once: not again about an unexported canvas
        return True

    def _confirm_quit(self) -> bool:
        """Whether to quit with work not exported; Escape and Enter keep working."""
        kept = "The session folder was deleted: only an export keeps the canvas." \
            if self.controller.folder_gone else "The artworks stay in the session folder."
        return ask_in_words(self, QMessageBox.Icon.Question, "Quit ANIMO",
                            f"{self._unexported_note()}\n\nQuit anyway? {kept}",
                            QUIT_TEXT, KEEP_WORKING_TEXT,
                            yes_role=QMessageBox.ButtonRole.DestructiveRole)

    def close_without_asking(self) -> None:
        self._closing_confirmed = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.kiosk and not self._closing_confirmed:
            event.ignore()
            return
        if self.export_on_close is not None:
            self.export_failed = not self.export_to(self.export_on_close)
        if not self._confirm_unsaved_artworks():
            event.ignore()
            return
        if not self._closing_confirmed and self.controller.has_unexported_work:
            if not self._confirm_quit():
                event.ignore()
                return
        if not self.isFullScreen():
            self.controller.settings.window_geometry = self.encoded_geometry()
        event.accept()
