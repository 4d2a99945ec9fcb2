import json

from PIL import Image

from animo_desktop.composition import CanvasSpec, CompositionMode, layout
from animo_desktop.emotions import Emotion
from animo_desktop.messages import ArtworkMetadata
from animo_desktop.session import (Session, SessionFolder, find_unfinished_session,
                                   save_artwork_files)
from animo_desktop.storage import read_png_text


def metadata(emotion=Emotion.JOY, seed=7):
    return ArtworkMetadata(created_at="2026-11-22T10:00:00+01:00", emotion=emotion,
                           backend="painter", seed=seed, prompt="the sea", generation_ms=80.0)


def make_session_with_artworks(root, count):
    session = Session.new(CanvasSpec())
    folder = SessionFolder.create(root, session.session_id)
    folder.save(session)
    for index in range(1, count + 1):
        png = folder.artwork_path(index, "joy")
        save_artwork_files(png, Image.new("RGB", (32, 32), (index * 20, 0, 0)), metadata())
        session.add_artwork(index, metadata(seed=index), folder.relative(png))
        folder.save(session)
    return session, folder


def test_state_round_trips_through_the_folder(tmp_path):
    session, folder = make_session_with_artworks(tmp_path, 3)
    loaded = folder.load()
    assert loaded.to_dict() == session.to_dict()
    assert [r.metadata.seed for r in loaded.artworks] == [1, 2, 3]
    assert loaded.artworks[1].placement == layout(CompositionMode.COLLAGE, session.canvas,
                                                  session.seed, [1, 2, 3])[2]


def test_each_artwork_file_carries_its_metadata(tmp_path):
    _, folder = make_session_with_artworks(tmp_path, 1)
    png = folder.artwork_path(1, "joy")
    embedded = json.loads(read_png_text(png)["animo:session"])
    sidecar = json.loads(png.with_suffix(".json").read_text())
    assert embedded == sidecar
    assert sidecar["emotion"] == "joy" and sidecar["prompt"] == "the sea"


def test_an_artwork_saved_after_the_last_state_write_is_recovered(tmp_path):
    session, folder = make_session_with_artworks(tmp_path, 2)
    # The app dies after the third artwork's files, before session.json is rewritten.
    png = folder.artwork_path(3, "fear")
    save_artwork_files(png, Image.new("RGB", (32, 32)), metadata(Emotion.FEAR, seed=3))
    loaded = folder.load()
    assert [r.index for r in loaded.artworks] == [1, 2, 3]
    assert loaded.artworks[2].metadata.emotion is Emotion.FEAR
    assert loaded.artworks[2].placement == layout(CompositionMode.COLLAGE, session.canvas,
                                                  session.seed, [1, 2, 3])[3]


def test_an_artwork_whose_sidecar_was_never_written_is_recovered_from_its_png(tmp_path):
    session, folder = make_session_with_artworks(tmp_path, 2)
    # The app dies between the third artwork's PNG and its sidecar.
    png = folder.artwork_path(3, "fear")
    save_artwork_files(png, Image.new("RGB", (32, 32)), metadata(Emotion.FEAR, seed=3))
    png.with_suffix(".json").unlink()
    # A PNG that is not ANIMO's carries no record: it is not an artwork.
    Image.new("RGB", (8, 8)).save(folder.artwork_path(4, "joy"))
    loaded = folder.load()
    assert [r.index for r in loaded.artworks] == [1, 2, 3]
    assert loaded.artworks[2].metadata == metadata(Emotion.FEAR, seed=3)
    assert loaded.artworks[2].file == folder.relative(png)


def test_only_sessions_that_never_ended_are_unfinished(tmp_path):
    assert find_unfinished_session(tmp_path) is None
    session, folder = make_session_with_artworks(tmp_path, 1)
    assert find_unfinished_session(tmp_path).path == folder.path
    session.ended_at = "2026-11-22T11:00:00+01:00"
    folder.save(session)
    assert find_unfinished_session(tmp_path) is None


def test_export_metadata_counts_artworks_and_only_the_opt_in_lists_them(tmp_path):
    session, _ = make_session_with_artworks(tmp_path, 2)
    data = session.export_metadata()
    assert data["app"] == "ANIMO" and data["ended_at"]
    # An artwork's seed, prompt or LoRA would tell its emotion: none of them by default.
    assert data["artwork_count"] == 2 and "artworks" not in data
    opted_in = session.export_metadata(with_emotions=True)
    assert [a["seed"] for a in opted_in["artworks"]] == [1, 2]
    assert all("file" not in a for a in opted_in["artworks"])
    assert {"time", "backend", "seed", "model", "emotion", "prompt", "lora"} <= set(
        opted_in["artworks"][0])


def test_export_metadata_counts_only_the_artworks_the_canvas_holds(tmp_path):
    session, _ = make_session_with_artworks(tmp_path, 3)
    assert session.export_metadata(on_canvas=(1, 3))["artwork_count"] == 2
    assert session.export_metadata(on_canvas=())["backends"] == []
    # The opt-in record still lists every artwork: its artworks/ folder holds each file.
    assert len(session.export_metadata(with_emotions=True, on_canvas=())["artworks"]) == 3


def test_the_artworks_since_the_last_export_are_counted_and_kept_over_a_restore(tmp_path):
    session, folder = make_session_with_artworks(tmp_path, 2)
    assert session.exported_up_to is None and session.artworks_since_export == 2
    session.mark_exported(str(tmp_path / "canvas.png"))
    assert session.is_exported and session.artworks_since_export == 0
    for index in (3, 4, 5):
        session.add_artwork(index, metadata(seed=index), None)
    assert not session.is_exported and session.artworks_since_export == 3
    session.remove_artwork(4)
    folder.save(session)
    assert folder.load().artworks_since_export == 2
    assert "exported_up_to" not in session.export_metadata()  # local, like exported_to
