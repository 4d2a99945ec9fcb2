"""Follows one queued prompt through the websocket's messages and says what each means
for the artwork: a sampling step, a preview, the final image, or the end of the job.

ComfyUI sends a job's messages only to the socket of the client that queued it, but
after an interruption the stale job's last messages can still arrive: anything about
another prompt id is ignored. Image frames carry no prompt id; they belong to the node
executing at that moment: the output node's frame is the artwork, any other a preview.
"""

from __future__ import annotations

from dataclasses import dataclass

from animo_desktop.generation.comfyui.websocket_messages import (Executing, ExecutionError,
                                                                 ExecutionInterrupted,
                                                                 ExecutionSuccess, ImageFrame,
                                                                 Progress, ServerMessage)


@dataclass(frozen=True)
class SamplingStep:
    step: int
    total_steps: int


@dataclass(frozen=True)
class PreviewImage:
    frame: ImageFrame


@dataclass(frozen=True)
class JobSucceeded:
    frame: ImageFrame  # the output node's image: the artwork


@dataclass(frozen=True)
class JobFailed:
    reason: str  # for the therapist: the server's own words when it gave any


@dataclass(frozen=True)
class JobInterrupted:
    pass


JobEvent = SamplingStep | PreviewImage | JobSucceeded | JobFailed | JobInterrupted


class JobTracker:
    """The state of one prompt; feed it every message and frame of the socket in order."""

    def __init__(self, prompt_id: str, sampler_node: str, output_node: str):
        self.prompt_id = prompt_id
        self._sampler_node = sampler_node
        self._output_node = output_node
        self._executing: str | None = None
        self._image: ImageFrame | None = None
        self.done = False

    def on_message(self, message: ServerMessage) -> JobEvent | None:
        if self.done or getattr(message, "prompt_id", None) != self.prompt_id:
            return None
        if isinstance(message, Executing):
            self._executing = message.node
            return self._finish() if message.finished else None
        if isinstance(message, Progress):
            if message.node == self._sampler_node:
                return SamplingStep(message.value, message.maximum)
            return None
        if isinstance(message, ExecutionSuccess):
            return self._finish()
        if isinstance(message, ExecutionError):
            self.done = True
            return JobFailed(f"the server could not run {message.node_type} "
                             f"({message.exception_type}: {message.exception_message})")
        if isinstance(message, ExecutionInterrupted):
            self.done = True
            return JobInterrupted()
        return None

    def on_image(self, frame: ImageFrame) -> JobEvent | None:
        if self.done or self._executing is None:
            return None
        if self._executing == self._output_node:
            self._image = frame
            return None  # the artwork is complete once the server says the job ended
        return PreviewImage(frame)

    def _finish(self) -> JobEvent:
        self.done = True
        if self._image is None:
            return JobFailed("the server finished the job without sending its image")
        return JobSucceeded(self._image)
