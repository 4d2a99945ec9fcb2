"""The server's answer to `POST /prompt`: the job queued, or the graph rejected with the
server's own reasons (an unknown checkpoint or LoRA, a value out of range), which the
therapist is shown.

Shapes as ComfyUI 0.3.64's server.py post_prompt and execution.py validate_prompt write
them: `{"prompt_id", "number", "node_errors"}` when queued; on status 400
`{"error": {"type", "message", "details"}, "node_errors": {id: {"class_type", "errors":
[{"message", "details"}]}}}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# A rejected choice's reason lists every choice the server has: cut, so that a large
# LoRA folder does not flood the therapist's message.
MAX_DETAIL_CHARS = 200


class QueueAnswerError(ValueError):
    """An answer to POST /prompt not shaped as ComfyUI's."""


@dataclass(frozen=True)
class QueuedPrompt:
    prompt_id: str
    number: float  # its place in the server's queue


@dataclass(frozen=True)
class NodeRejection:
    node_id: str
    class_type: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class GraphRejected:
    message: str  # the server's summary, e.g. "Prompt outputs failed validation"
    nodes: tuple[NodeRejection, ...]

    @property
    def reason(self) -> str:
        """One sentence for the therapist, in the server's words."""
        if not self.nodes:
            return f"the server rejected the job: {self.message}"
        parts = [f"{node.class_type} ({node.node_id}): {'; '.join(node.reasons)}"
                 for node in self.nodes]
        return "the server rejected the job: " + " | ".join(parts)


def parse_queue_answer(status: int, answer: Any) -> QueuedPrompt | GraphRejected:
    """The answer's meaning, from its HTTP status and JSON body."""
    try:
        if status == 200:
            number = answer["number"]
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                raise TypeError("number is not a number")
            return QueuedPrompt(_string(answer["prompt_id"]), number)
        if status == 400:
            error, node_errors = answer["error"], answer.get("node_errors") or {}
            message = error if isinstance(error, str) else _string(error["message"])
            return GraphRejected(_short(message), tuple(
                NodeRejection(_string(node_id), _string(node["class_type"]),
                              tuple(_reason(reason) for reason in node["errors"]))
                for node_id, node in sorted(node_errors.items())))
    except (KeyError, TypeError, AttributeError) as error:
        raise QueueAnswerError(f"the server's answer to the job is not shaped as ComfyUI's: "
                               f"{type(error).__name__} {error}") from None
    raise QueueAnswerError(f"the server answered the job with HTTP status {status}")


def _reason(reason: Any) -> str:
    details = reason.get("details")
    message = _string(reason["message"])
    return _short(f"{message}: {details}" if isinstance(details, str) and details else message)


def _short(text: str) -> str:
    return text if len(text) <= MAX_DETAIL_CHARS else text[:MAX_DETAIL_CHARS - 1] + "…"


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r:.40} is not a string")
    return value
