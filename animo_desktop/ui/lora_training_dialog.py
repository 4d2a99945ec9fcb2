"""Tools ▸ Train emotion LoRAs…: the artist chooses a folder of artworks per emotion, the
base model and the epochs, starts, and watches each training: step, loss and time left, the
loss curve, each epoch's validation image. Stop ends it cleanly after the step under way
(its state is saved, no LoRA is written).

Thin Qt: what to train is a TrainingPlan, what the training said is a TrainingRun (both
Qt-free, lora_training/). Each emotion trains in an `animo train-lora --progress-json`
process of its own (QProcess: no thread, and the window never waits on it), so the session
goes on meanwhile; each LoRA written is announced by `lora_trained`, for the generation
worker to load in place.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QProcess, QSize, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QIcon, QImageReader, QPixmap
from PySide6.QtWidgets import (QCheckBox, QDialog, QFileDialog, QFormLayout, QGridLayout,
                               QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QPlainTextEdit, QProgressBar, QPushButton, QSizePolicy,
                               QSpinBox, QVBoxLayout, QWidget)

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.lora_training.progress_stream import LoraWrittenReport, parse_report
from animo_desktop.lora_training.stop_request import STOP_LINE
from animo_desktop.lora_training.training_plan import THUMBNAILS_PER_FOLDER, TrainingPlan
from animo_desktop.lora_training.training_run import RunState, TrainingRun
from animo_desktop.messages import LoraTrained
from animo_desktop.ui.loss_curve import LossCurve

log = logging.getLogger(__name__)

THUMBNAIL_SIDE = 40
VALIDATION_SIDE = 96
MAX_EPOCHS = 100
# Quitting mid-step: how long the training has to save its state before it is killed.
STOP_WAIT_MS = 60_000
ERROR_TAIL_BYTES = 8192
MODEL_HINT = "the model ANIMO uses (the first one `animo doctor` lists)"
CONTINUE_TEXT = "Continue the last training"
STATE_TEXT = {RunState.FINISHED: "Done: every LoRA is written; the status bar says when "
                                 "the session uses it.",
              RunState.STOPPED: "Stopped: no LoRA was written for the emotion under way; "
                                f"tick “{CONTINUE_TEXT}” to go on from there.",
              RunState.FAILED: "The training stopped: see why below."}


def thumbnail(path: Path, side: int) -> QPixmap:
    """A small picture of an image file, decoded at that size (a large scan stays quick)."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)  # a phone photo's EXIF orientation
    size = reader.size()
    if size.isValid():
        reader.setScaledSize(size.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio))
    return QPixmap.fromImage(reader.read())


def describe_step(run: TrainingRun) -> str:
    step = run.last_step
    if step is None:
        return f"{run.current.display_name}: loading the model…" if run.current else ""
    minutes, seconds = divmod(int(round(step.seconds_left)), 60)
    return (f"{step.emotion.display_name}: step {step.step}/{step.total_steps} · epoch "
            f"{step.epoch} · loss {step.loss:.4f} · {minutes}:{seconds:02d} left")


class LoraTrainingDialog(QDialog):
    lora_trained = Signal(object)  # LoraTrained

    def __init__(self, plan: TrainingPlan, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Train emotion LoRAs")
        self.plan = plan
        self.run: TrainingRun | None = None
        self._process: QProcess | None = None
        self._unread_output = b""
        self._error_output = b""
        self._folder_rows: dict[Emotion, tuple[QLabel, list[QLabel]]] = {}

        layout = QVBoxLayout(self)
        layout.addLayout(self._build_folder_grid())
        layout.addLayout(self._build_options())
        buttons = QHBoxLayout()
        self.start_button = QPushButton("Start training")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop after the step under way; its state is saved")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.setEnabled(False)
        close_button = QPushButton("Close")
        close_button.setToolTip("The training goes on while this window is closed")
        close_button.clicked.connect(self.close)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        buttons.addWidget(close_button)
        layout.addLayout(buttons)
        self.progress_bar = QProgressBar()
        self.step_label = QLabel()
        self.loss_curve = LossCurve()
        self.validation_images = QListWidget()
        self.validation_images.setViewMode(QListWidget.ViewMode.IconMode)
        self.validation_images.setIconSize(QSize(VALIDATION_SIDE, VALIDATION_SIDE))
        self.validation_images.setFixedHeight(VALIDATION_SIDE + 40)
        self.validation_images.setToolTip("Each epoch's validation image: the LoRA as it is, "
                                          "at the same seed")
        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setPlaceholderText("What the training says: notes on the images, "
                                         "fallbacks, errors")
        validation_caption = QLabel("Validation images: one per epoch, at the same seed")
        for widget in (self.progress_bar, self.step_label, self.loss_curve,
                       validation_caption, self.validation_images, self.log_view):
            layout.addWidget(widget)
        self.refresh_folders()
        QCoreApplication.instance().aboutToQuit.connect(self.shut_down)

    def _build_folder_grid(self) -> QGridLayout:
        grid = QGridLayout()
        for row, emotion in enumerate(ALL_EMOTIONS):
            grid.addWidget(QLabel(emotion.display_name), row, 0)
            choose = QPushButton("Folder…")
            choose.clicked.connect(lambda _=False, e=emotion: self._choose_folder(e))
            grid.addWidget(choose, row, 1)
            clear = QPushButton("Clear")
            clear.setToolTip(f"Train no {emotion.display_name.lower()} LoRA")
            clear.clicked.connect(lambda _=False, e=emotion: self.set_folder(e, None))
            grid.addWidget(clear, row, 2)
            description = QLabel()
            grid.addWidget(description, row, 3)
            thumbnails = []
            for column in range(4, 4 + THUMBNAILS_PER_FOLDER):
                label = QLabel()
                label.setFixedSize(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
                grid.addWidget(label, row, column)
                thumbnails.append(label)
            self._folder_rows[emotion] = (description, thumbnails)
        grid.setColumnStretch(3, 1)
        return grid

    def _build_options(self) -> QFormLayout:
        form = QFormLayout()
        model_row = QHBoxLayout()
        self.model_field = QLineEdit(self.plan.model or "")
        self.model_field.setPlaceholderText(MODEL_HINT)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._choose_model)
        model_row.addWidget(self.model_field, 1)
        model_row.addWidget(browse)
        form.addRow("Base model", model_row)
        self.epochs_field = QSpinBox()
        self.epochs_field.setRange(1, MAX_EPOCHS)
        self.epochs_field.setValue(self.plan.epochs)
        self.epochs_field.setToolTip("Passes over the images (the recipe: 10-30)")
        # A number of two digits: the field need not span the dialog.
        self.epochs_field.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        form.addRow("Epochs", self.epochs_field)
        self.resume_box = QCheckBox(CONTINUE_TEXT)
        self.resume_box.setToolTip("Go on from where Stop left each emotion's training, or "
                                   "extend a finished one to more epochs")
        form.addRow("", self.resume_box)
        return form

    def _choose_folder(self, emotion: Emotion) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, f"The {emotion.display_name.lower()} artworks")
        if chosen:
            self.set_folder(emotion, Path(chosen))

    def _choose_model(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "A Stable Diffusion 1.5 model folder")
        if chosen:
            self.model_field.setText(chosen)

    def set_folder(self, emotion: Emotion, folder: Path | None) -> None:
        self.plan = self.plan.with_folder(emotion, folder)
        self.refresh_folders()

    def refresh_folders(self) -> None:
        for emotion, (description, thumbnails) in self._folder_rows.items():
            summary = self.plan.folders.get(emotion)
            description.setText(f"{summary.folder.name}: {summary.description}" if summary
                                else "no folder")
            description.setToolTip(str(summary.folder) if summary else "")
            pictures = summary.thumbnails if summary else ()
            for index, label in enumerate(thumbnails):
                label.setPixmap(thumbnail(pictures[index], THUMBNAIL_SIDE)
                                if index < len(pictures) else QPixmap())
        self._enable_controls()

    @property
    def is_training(self) -> bool:
        return self._process is not None

    def _enable_controls(self) -> None:
        self.start_button.setEnabled(not self.is_training and self.plan.emotions != ())
        self.stop_button.setEnabled(self.is_training and self.run is not None
                                    and self.run.state is RunState.RUNNING)

    @Slot()
    def start(self) -> None:
        self.plan = replace(self.plan, model=self.model_field.text().strip() or None,
                            epochs=self.epochs_field.value(),
                            resume=self.resume_box.isChecked())
        refusal = self.plan.refusal()
        if refusal:
            self._say(refusal)
            return
        self.run = TrainingRun(self.plan.emotions)
        self.validation_images.clear()
        self.log_view.clear()
        self._start_process(self.run.current)

    def _start_process(self, emotion: Emotion) -> None:
        command = self.plan.command(emotion)
        log.info("training the %s LoRA: %s", emotion.value, " ".join(command))
        self._unread_output = self._error_output = b""
        process = QProcess(self)
        process.readyReadStandardOutput.connect(self._read_output)
        process.readyReadStandardError.connect(self._read_errors)
        process.finished.connect(self._process_finished)
        process.errorOccurred.connect(self._process_failed_to_start)
        self._process = process
        self.run.last_step = None
        self.step_label.setText(describe_step(self.run))
        self.progress_bar.setValue(0)
        process.start(command[0], command[1:])
        self._enable_controls()

    @Slot()
    def stop(self) -> None:
        """After the step under way: the training saves its state and writes no LoRA."""
        if self._process is None or self.run is None:
            return
        self.run.ask_to_stop()
        self._process.write(f"{STOP_LINE}\n".encode())
        self.step_label.setText("Stopping after this step…")
        self._enable_controls()

    @Slot()
    def shut_down(self) -> None:
        """ANIMO quits: stop the training and wait for its state to be saved."""
        if self._process is None:
            return
        self.stop()
        if not self._process.waitForFinished(STOP_WAIT_MS):
            log.warning("the LoRA training did not stop in %d s: killed", STOP_WAIT_MS // 1000)
            self._process.kill()
            self._process.waitForFinished()

    def _read_output(self) -> None:
        self._unread_output += bytes(self._process.readAllStandardOutput())
        *lines, self._unread_output = self._unread_output.split(b"\n")
        for line in lines:
            report = parse_report(line.decode("utf-8", "replace"))
            if report is None:
                continue  # a library's own output
            notes_before = len(self.run.notes)
            self.run.read(report)
            for note in self.run.notes[notes_before:]:
                self._say(note)
            if isinstance(report, LoraWrittenReport) and report.manifest is not None:
                self.lora_trained.emit(LoraTrained(report.emotion, report.lora,
                                                   report.manifest))
        self._show_progress()

    def _read_errors(self) -> None:
        # Only its end is ever shown (a crash's last words); progress bars fill the rest.
        self._error_output = (self._error_output
                              + bytes(self._process.readAllStandardError()))[-ERROR_TAIL_BYTES:]

    def _show_progress(self) -> None:
        run = self.run
        if run.last_step is not None:
            self.progress_bar.setMaximum(run.last_step.total_steps)
            self.progress_bar.setValue(run.last_step.step)
        if run.state is RunState.RUNNING:
            self.step_label.setText(describe_step(run))
        if run.current is not None:
            self.loss_curve.show_losses(run.losses.get(run.current, []))
        for report in run.validation_images[self.validation_images.count():]:
            item = QListWidgetItem(QIcon(thumbnail(report.path, VALIDATION_SIDE)),
                                   f"{report.emotion.display_name} {report.epoch}")
            item.setToolTip(str(report.path))
            self.validation_images.addItem(item)
            self.validation_images.scrollToItem(item)

    @Slot(int, QProcess.ExitStatus)
    def _process_finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        self._read_output()
        self._read_errors()
        if exit_status is QProcess.ExitStatus.CrashExit:
            exit_code = -1
        self._end_process(exit_code)

    @Slot(QProcess.ProcessError)
    def _process_failed_to_start(self, error: QProcess.ProcessError) -> None:
        if error is QProcess.ProcessError.FailedToStart:
            self._error_output += self._process.errorString().encode()
            self._end_process(-1)

    def _end_process(self, exit_code: int) -> None:
        process, self._process = self._process, None
        process.deleteLater()
        following = self.run.process_ended(
            exit_code, self._error_output.decode("utf-8", "replace"))
        if following is not None:
            self._start_process(following)
            return
        if self.run.failure:
            self._say(self.run.failure)
        self.step_label.setText(STATE_TEXT[self.run.state])
        self._enable_controls()

    def _say(self, text: str) -> None:
        self.log_view.appendPlainText(text)

    def closeEvent(self, event: QCloseEvent) -> None:
        # Only hidden: the training goes on, and the menu shows it again.
        event.ignore()
        self.hide()
