import platformdirs

from animo_desktop.paths import default_export_dir


def platform_folders(monkeypatch, pictures, documents):
    monkeypatch.setattr(platformdirs, "user_pictures_dir", lambda: str(pictures))
    monkeypatch.setattr(platformdirs, "user_documents_dir", lambda: str(documents))


def test_canvases_go_to_the_pictures_folder(tmp_path, monkeypatch):
    (tmp_path / "Pictures").mkdir()
    platform_folders(monkeypatch, tmp_path / "Pictures", tmp_path / "Documents")
    assert default_export_dir() == tmp_path / "Pictures"
    assert not (tmp_path / "Documents").exists()


def test_without_a_pictures_folder_canvases_go_to_the_documents_folder(tmp_path, monkeypatch):
    (tmp_path / "Documents").mkdir()
    platform_folders(monkeypatch, tmp_path / "Pictures", tmp_path / "Documents")
    assert default_export_dir() == tmp_path / "Documents"
    assert not (tmp_path / "Pictures").exists()


def test_a_missing_documents_folder_is_made_rather_than_export_into_home(tmp_path,
                                                                         monkeypatch):
    platform_folders(monkeypatch, tmp_path / "Pictures", tmp_path / "home" / "Documents")
    assert default_export_dir() == tmp_path / "home" / "Documents"
    assert (tmp_path / "home" / "Documents").is_dir()
