"""Emotions are health data: an exported canvas names none unless the therapist opted in
to the session record."""

import json

from animo_desktop.storage import read_png_text

from .conftest import wait_for_artworks


def test_emotions_reach_an_export_only_with_the_opt_in(launch, qtbot, tmp_path):
    window, controller = launch("--emotion", "anger")
    controller.set_theme("a stormy sea")
    wait_for_artworks(qtbot, controller, 1)

    assert controller.export(tmp_path / "canvas.png")
    plain = read_png_text(tmp_path / "canvas.png")["animo:session"]
    assert json.loads(plain)["artworks"]
    for telling in ("anger", "stormy"):  # the label, and the prompt that holds the theme
        assert telling not in plain.lower()

    assert controller.export_session_data(tmp_path / "record")
    record = json.loads(read_png_text(tmp_path / "record" / "canvas.png")["animo:session"])
    assert record["artworks"][0]["emotion"] == "anger"
    assert record["artworks"][0]["prompt"] == "a stormy sea"
