"""`animo bench palette`: the painter run, the --images path on a folder of artworks, and
the exit status 2 for a folder that is missing or holds no ANIMO artwork."""

import json
import subprocess
import sys
from pathlib import Path

from PIL import Image

from animo_desktop.cli import main
from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.messages import ArtworkMetadata
from animo_desktop.painter import paint
from animo_desktop.session import SESSION_METADATA_KEY, save_artwork_files
from animo_desktop.storage import atomic_write_png

REPO = Path(__file__).resolve().parents[2]


def _last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def _metadata(emotion: Emotion, seed: int) -> ArtworkMetadata:
    return ArtworkMetadata("2026-12-01T23:00:00+00:00", emotion, "painter", seed, "", 40.0)


def test_painter_run_reports_every_emotion(capsys):
    assert main(["bench", "palette", "--per-emotion", "2", "--size", "64", "--seed", "3"]) == 0
    figures = _last_json(capsys.readouterr().out)
    assert figures["artworks"] == 2 * len(ALL_EMOTIONS)
    assert set(figures["own_share"]) == {e.value for e in ALL_EMOTIONS}
    assert figures["source"] == "painter" and figures["first_seed"] == 3
    assert figures["margin_min"] > 0


def test_images_folder_with_sidecars_and_text_chunks(tmp_path, capsys):
    artworks = tmp_path / "session" / "artworks"
    artworks.parent.mkdir()  # an artwork's save makes its artworks/ folder, not the session's
    index = 0
    for emotion in ALL_EMOTIONS:
        for seed in range(2):
            index += 1
            save_artwork_files(artworks / f"{index:04d}-{emotion.value}.png",
                               paint(emotion, seed, 128), _metadata(emotion, seed))
    # What `animo render` writes: no sidecar, the record in the PNG's text chunk.
    rendered = tmp_path / "render"
    atomic_write_png(rendered / "anger-7.png", paint(Emotion.ANGER, 7, 128),
                     {SESSION_METADATA_KEY: json.dumps(_metadata(Emotion.ANGER, 7).to_dict())})
    Image.new("RGB", (32, 32), "white").save(tmp_path / "not-animo.png")  # ignored
    (tmp_path / "session" / "session.json").write_text("{}")

    assert main(["bench", "palette", "--images", str(tmp_path)]) == 0
    figures = _last_json(capsys.readouterr().out)
    assert figures["source"] == "images"
    assert figures["artworks"] == 2 * len(ALL_EMOTIONS) + 1
    assert sum(figures["confusion"]["anger"].values()) == 3
    assert figures["own_share"] == {e.value: 1.0 for e in ALL_EMOTIONS}


def test_sidecar_wins_over_the_text_chunk(tmp_path, capsys):
    png = tmp_path / "0001-joy.png"
    save_artwork_files(png, paint(Emotion.JOY, 1, 64), _metadata(Emotion.JOY, 1))
    png.with_suffix(".json").write_text(json.dumps(_metadata(Emotion.FEAR, 1).to_dict()))
    assert main(["bench", "palette", "--images", str(tmp_path)]) == 0
    assert _last_json(capsys.readouterr().out)["own_share"] == {"fear": 0.0}


def test_missing_folder_exits_2(tmp_path, capsys):
    assert main(["bench", "palette", "--images", str(tmp_path / "nowhere")]) == 2
    assert "is not a folder" in capsys.readouterr().out


def test_folder_without_animo_artworks_exits_2_in_a_subprocess(tmp_path):
    Image.new("RGB", (16, 16), "red").save(tmp_path / "photo.png")
    (tmp_path / "notes.json").write_text("{}")
    done = subprocess.run([sys.executable, "-m", "animo_desktop.cli", "bench", "palette",
                           "--images", str(tmp_path)], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "holds no ANIMO artwork" in done.stdout
