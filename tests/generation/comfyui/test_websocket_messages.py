import io
import json
import struct

import pytest
from PIL import Image

from animo_desktop.generation.comfyui.websocket_messages import (
    MAX_TEXT_FRAME_CHARS, Executing, ExecutionError, ExecutionInterrupted, ExecutionSuccess,
    ImageFrame, MessageRejected, Progress, QueueStatus, parse_binary_frame, parse_text_frame)


def text_frame(kind, data):
    return json.dumps({"type": kind, "data": data})


def image_frame(image_format="PNG", size=(8, 6), event=1):
    encoded = io.BytesIO()
    Image.new("RGB", size, (200, 30, 40)).save(encoded, format=image_format)
    number = {"JPEG": 1, "PNG": 2}[image_format]
    return struct.pack(">II", event, number) + encoded.getvalue()


def test_the_messages_of_a_job_become_typed_values():
    # Shapes as ComfyUI 0.3.64 sends them (server.py, main.py hijack_progress, execution.py).
    assert parse_text_frame(text_frame("status", {
        "status": {"exec_info": {"queue_remaining": 2}}, "sid": "room-1"})) == \
        QueueStatus(2, "room-1")
    assert parse_text_frame(text_frame("status", {"status": {"exec_info": {
        "queue_remaining": 0}}})) == QueueStatus(0, None)
    assert parse_text_frame(text_frame("progress", {
        "value": 3, "max": 20, "prompt_id": "p1", "node": "6"})) == Progress("p1", "6", 3, 20)
    assert parse_text_frame(text_frame("executing", {"node": "8", "display_node": "8",
                                                     "prompt_id": "p1"})) == Executing("p1", "8")
    done = parse_text_frame(text_frame("executing", {"node": None, "prompt_id": "p1"}))
    assert done == Executing("p1", None) and done.finished
    assert parse_text_frame(text_frame("executing", {"node": "6"})) == Executing(None, "6")
    assert parse_text_frame(text_frame("execution_success", {"prompt_id": "p1",
                                                             "timestamp": 1})) == \
        ExecutionSuccess("p1")
    assert parse_text_frame(text_frame("execution_interrupted", {
        "prompt_id": "p1", "node_id": "6", "node_type": "KSampler", "executed": ["1"]})) == \
        ExecutionInterrupted("p1", "6", "KSampler")


def test_an_execution_error_keeps_the_servers_words():
    message = parse_text_frame(text_frame("execution_error", {
        "prompt_id": "p1", "node_id": "2", "node_type": "LoraLoader", "executed": [],
        "exception_message": "lora 'joy.safetensors' not found", "exception_type": "KeyError",
        "traceback": ["..."], "current_inputs": {}, "current_outputs": []}))
    assert message == ExecutionError("p1", "2", "LoraLoader", "KeyError",
                                     "lora 'joy.safetensors' not found")


def test_messages_are_immutable():
    message = Progress("p1", "6", 1, 4)
    with pytest.raises(AttributeError):
        message.value = 2


@pytest.mark.parametrize("kind", ["execution_start", "execution_cached", "executed",
                                  "progress_state", "feature_flags"])
def test_bookkeeping_messages_are_ignored(kind):
    assert parse_text_frame(text_frame(kind, {"prompt_id": "p1"})) is None


@pytest.mark.parametrize("text, reason", [
    ("not json", "not JSON"),
    ("[1, 2]", "type, data"),
    ('{"type": "progress"}', "type, data"),
    ('{"type": 5, "data": {}}', "type, data"),
    (text_frame("crystools.monitor", {}), "unexpected message type"),
    (text_frame("progress", {"value": 3, "prompt_id": "p1"}), "malformed"),
    (text_frame("progress", {"value": "3", "max": 4}), "malformed"),
    (text_frame("progress", {"value": True, "max": 4}), "malformed"),
    (text_frame("progress", {"value": -1, "max": 4}), "malformed"),
    (text_frame("progress", {"value": 5, "max": 4}), "malformed"),
    (text_frame("status", {"status": None}), "malformed"),
    (text_frame("execution_error", {"prompt_id": "p1", "node_id": 2}), "malformed"),
    (text_frame("executing", {"node": ["6"]}), "malformed"),
    (" " * (MAX_TEXT_FRAME_CHARS + 1), "exceeds"),
])
def test_malformed_or_unexpected_text_frames_are_rejected(text, reason):
    with pytest.raises(MessageRejected, match=reason):
        parse_text_frame(text)


def test_a_deeply_nested_frame_under_the_cap_is_rejected_not_a_crash():
    with pytest.raises(MessageRejected, match="not JSON"):
        parse_text_frame("[" * 50_000 + "]" * 50_000)


@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
def test_an_image_frame_gives_its_format_and_decodes(image_format):
    frame = parse_binary_frame(image_frame(image_format))
    assert frame.image_format == image_format
    image = frame.decode()
    assert image.size == (8, 6) and image.mode == "RGB"
    assert abs(image.getpixel((4, 3))[0] - 200) <= 3


@pytest.mark.parametrize("data, reason", [
    (b"", "shorter than its header"),
    (struct.pack(">I", 1) + b"\x00\x00", "shorter than its header"),
    (image_frame(event=4), "unexpected binary event type 4"),
    (image_frame(event=3), "unexpected binary event type 3"),
    (struct.pack(">II", 1, 7) + b"\x89PNG\r\n\x1a\n", "unexpected image format 7"),
    (struct.pack(">II", 1, 2) + b"\xff\xd8\xff\xe0", "does not hold a PNG"),
    (struct.pack(">II", 1, 1) + b"GIF89a", "does not hold a JPEG"),
])
def test_malformed_or_unexpected_binary_frames_are_rejected(data, reason):
    with pytest.raises(MessageRejected, match=reason):
        parse_binary_frame(data)


def test_an_oversized_binary_frame_is_rejected_before_it_is_read():
    data = image_frame()
    assert parse_binary_frame(data, max_bytes=len(data))
    with pytest.raises(MessageRejected, match="exceeds"):
        parse_binary_frame(data, max_bytes=len(data) - 1)


def test_an_image_with_too_many_pixels_is_rejected_before_decoding():
    frame = parse_binary_frame(image_frame(size=(64, 64)))
    assert frame.decode(max_pixels=64 * 64).size == (64, 64)
    with pytest.raises(MessageRejected, match="64 x 64 pixels exceeds"):
        frame.decode(max_pixels=64 * 64 - 1)


def test_a_truncated_image_is_rejected():
    whole = parse_binary_frame(image_frame(size=(32, 32)))
    with pytest.raises(MessageRejected, match="does not decode"):
        ImageFrame("PNG", whole.data[: len(whole.data) // 2]).decode()
