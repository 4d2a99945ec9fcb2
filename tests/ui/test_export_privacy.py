"""Emotions are health data: an exported canvas names none unless the therapist opted in
to the session record, and holds nothing that would let them be computed."""

import json

from animo_desktop.emotions import ALL_EMOTIONS
from animo_desktop.painter import paint
from animo_desktop.storage import read_png_text

from .conftest import wait_for_artworks


def _numbers(value):
    """Every number in a JSON value, and every string that reads as one."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, int) and not isinstance(value, bool):
        yield value
    elif isinstance(value, str) and value.isdigit():
        yield int(value)


def _emotions_recomputed(numbers, originals):
    """The attack: re-render each number as a painter seed under each emotion and keep
    the emotions whose artwork is exactly one of the session's."""
    return {emotion for seed in set(numbers) for emotion in ALL_EMOTIONS
            if paint(emotion, seed).tobytes() in originals}


def test_the_default_export_gives_no_way_to_recompute_an_emotion(launch, qtbot, tmp_path):
    window, controller = launch("--backend", "painter", "--emotion", "anger")
    controller.set_theme("a stormy sea")
    wait_for_artworks(qtbot, controller, 2)
    controller.pause()
    originals = {controller.folder.load_image(record).tobytes()
                 for record in controller.session.artworks}

    assert controller.export(tmp_path / "canvas.png")
    plain = read_png_text(tmp_path / "canvas.png")["animo:session"]
    metadata = json.loads(plain)
    for telling in ("anger", "stormy"):  # the label, and the prompt that holds the theme
        assert telling not in plain.lower()
    seeds = {record.metadata.seed for record in controller.session.artworks}
    assert not seeds & set(_numbers(metadata))
    assert _emotions_recomputed(_numbers(metadata), originals) == set()
    assert metadata["artwork_count"] == len(originals) and metadata["started_at"]

    # The same attack on the opt-in record finds the emotion: it is the record's to hold.
    assert controller.export_session_data(tmp_path / "record")
    record = json.loads(read_png_text(tmp_path / "record" / "canvas.png")["animo:session"])
    assert record["artworks"][0]["emotion"] == "anger"
    assert record["artworks"][0]["prompt"] == "a stormy sea"
    recomputed = _emotions_recomputed((item["seed"] for item in record["artworks"]),
                                      originals)
    assert {emotion.value for emotion in recomputed} == {"anger"}
