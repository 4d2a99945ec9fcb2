"""An artwork file in the session folder that cannot be read back: a decompression bomb
(a PNG of a few kilobytes whose header declares 20000 x 20000 pixels), one over ANIMO's
50 megapixels, a Radiance HDR, a damaged PNG. The canvas painter and the export leave it
out, the therapist is told which file, and nothing crashes."""

import io
import logging

import numpy as np
import pytest
from PIL import Image

from animo_desktop.session import MAX_ARTWORK_PIXELS, read_artwork_image
from animo_desktop.ui.session_controller import SessionController
from animo_desktop.vision.opencv import cv2
from animo_desktop.vision.sources import SourceError, read_image
from tests.faults.conftest import exported_count, logged, told
from tests.test_session import make_session_with_artworks
from tests.ui.conftest import wait_for_canvas


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def radiance_hdr(width, height):
    """A Radiance HDR header declaring width x height, and one scanline's worth of data."""
    return (b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n"
            + f"-Y {height} +X {width}\n".encode() + bytes(4 * width))


UNREADABLE = {
    # Over Pillow's own limit: Image.open raises DecompressionBombError.
    "bomb.png": lambda: png(Image.new("1", (20000, 20000))),
    # Under Pillow's error limit (a warning there), over ANIMO's 50 megapixels.
    "huge.png": lambda: png(Image.new("L", (12000, 12000))),
    "radiance.hdr": lambda: radiance_hdr(20000, 20000),
    "damaged.png": lambda: png(Image.new("RGB", (32, 32)))[:60],
    "text.png": lambda: b"not an image\n" * 10,
}


@pytest.mark.parametrize("name", UNREADABLE)
def test_an_unreadable_artwork_file_reads_as_none_naming_it(tmp_path, caplog, name):
    path = tmp_path / name
    path.write_bytes(UNREADABLE[name]())
    assert len(path.read_bytes()) < 1_000_000
    with caplog.at_level(logging.WARNING):
        assert read_artwork_image(path) is None
    assert logged(caplog, logging.WARNING, str(path), "could not be read")


def test_an_artwork_at_the_limit_is_still_read(tmp_path):
    path = tmp_path / "wide.png"
    path.write_bytes(png(Image.new("L", (MAX_ARTWORK_PIXELS // 8, 8))))
    assert read_artwork_image(path).size == (MAX_ARTWORK_PIXELS // 8, 8)


@pytest.mark.parametrize("live_canvas", [True, False], ids=["painted canvas", "re-rendered"])
def test_a_bomb_in_the_session_folder_is_left_off_the_canvas_and_named(
        launch, shown, qtbot, tmp_path, monkeypatch, live_canvas):
    root = tmp_path / "sessions"
    session, folder = make_session_with_artworks(root, 3)
    bomb = folder.path / session.artworks[1].file
    bomb.write_bytes(UNREADABLE["bomb.png"]())
    huge = folder.path / session.artworks[2].file
    huge.write_bytes(UNREADABLE["huge.png"]())

    window, controller = launch(restore="yes", session_dir=root)
    assert controller.folder.path == folder.path
    wait_for_canvas(qtbot, controller)
    assert controller._painted.indices == (1,)
    qtbot.waitUntil(lambda: bool(told(shown, "warning", str(bomb), "could not be read")
                    and told(shown, "warning", str(huge), "could not be read")))
    if not live_canvas:  # the export paints the canvas anew from the originals
        monkeypatch.setattr(SessionController, "canvas_is_current", property(lambda _: False))
    out = tmp_path / "out.png"
    assert exported_count(window, out) == 1  # what the canvas holds, the bombs left off
    with Image.open(out) as exported:
        assert exported.size == (session.canvas.width, session.canvas.height)
    # No painter crash, no restart.
    assert not told(shown, "error", "stopped on an error")


def test_a_radiance_hdr_over_the_limit_is_refused_from_its_header(tmp_path):
    path = tmp_path / "huge.hdr"
    path.write_bytes(radiance_hdr(20000, 20000))
    with pytest.raises(SourceError, match="too large \\(20000 x 20000 pixels"):
        read_image(path)


def test_a_small_radiance_hdr_still_reads(tmp_path):
    path = tmp_path / "small.hdr"
    assert cv2.imwrite(str(path), np.full((8, 16, 3), 0.5, np.float32))
    assert read_image(path).shape[:2] == (8, 16)
