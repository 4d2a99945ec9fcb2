"""`animo bench emotion`: recognition measured on any labelled folder, as a clinic runs it."""

import json

import pytest

from animo_desktop.cli import main
from animo_desktop.emotions import ALL_EMOTIONS

from .conftest import WEB_FACES, web_faces


def figures(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def test_it_measures_the_committed_web_photos(capsys):
    assert main(["bench", "emotion", "--labels", str(WEB_FACES / "labels.csv")]) == 0
    out = capsys.readouterr().out
    result = figures(out)
    photos = web_faces()
    assert result["photos"] == len(photos) and result["unreadable"] == 0
    assert result["faces_found"] == 1.0
    assert set(result["recall"]) == {emotion for _, emotion in photos}
    assert result["balanced_accuracy"] == pytest.approx(
        sum(result["recall"].values()) / len(result["recall"]), abs=1e-3)
    assert sum(map(sum, result["confusion"].values())) == len(photos)
    assert list(result["confusion"]) == [emotion.value for emotion in ALL_EMOTIONS]
    for needed in ("faces found", "balanced accuracy", "recall joy", "confusion"):
        assert needed in out


def test_image_paths_are_read_relative_to_images_and_synonyms_are_labels(capsys, tmp_path):
    labels = tmp_path / "mine.csv"
    labels.write_text("image,emotion\nGregory_Peck_0001.jpg,happy\n"
                      "Kim_Clijsters_0010.jpg,angry\n", encoding="utf-8")
    assert main(["bench", "emotion", "--labels", str(labels), "--images", str(WEB_FACES)]) == 0
    result = figures(capsys.readouterr().out)
    assert set(result["recall"]) == {"joy", "anger"} and result["photos"] == 2


@pytest.mark.parametrize("content, message", [
    ("", "has no rows"),
    ("picture,feeling\na.jpg,joy\n", "no emotion or image column"),
    ("image,emotion\na.jpg,elated\n", "line 2: 'elated' is not an emotion"),
    ("image,emotion\n,joy\n", "line 2: no image"),
])
def test_a_labels_file_it_cannot_use_is_a_usage_error(capsys, tmp_path, content, message):
    labels = tmp_path / "labels.csv"
    labels.write_text(content, encoding="utf-8")
    assert main(["bench", "emotion", "--labels", str(labels)]) == 2
    assert message in capsys.readouterr().out


def test_a_missing_labels_file_is_a_usage_error(capsys, tmp_path):
    assert main(["bench", "emotion", "--labels", str(tmp_path / "none.csv")]) == 2
    assert "none.csv" in capsys.readouterr().out


def test_unreadable_images_are_counted_and_fail_the_run(capsys, tmp_path):
    (tmp_path / "broken.jpg").write_bytes(b"not a jpeg")
    labels = tmp_path / "labels.csv"
    labels.write_text(f"image,emotion\nbroken.jpg,joy\n{WEB_FACES / 'Gregory_Peck_0001.jpg'},joy\n",
                      encoding="utf-8")
    assert main(["bench", "emotion", "--labels", str(labels)]) == 1
    out = capsys.readouterr().out
    assert figures(out)["unreadable"] == 1 and figures(out)["photos"] == 1
    assert "broken.jpg" in out


def test_nothing_readable_at_all_fails_with_the_reason(capsys, tmp_path):
    labels = tmp_path / "labels.csv"
    labels.write_text("image,emotion\nmissing.jpg,joy\n", encoding="utf-8")
    assert main(["bench", "emotion", "--labels", str(labels)]) == 1
    assert "none of the 1 images could be read" in capsys.readouterr().out
