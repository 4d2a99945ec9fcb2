import json
import re

from animo_desktop.settings import Settings, load_settings, save_settings


def test_missing_file_gives_defaults_silently(tmp_path):
    settings, warnings = load_settings(tmp_path / "absent.json")
    assert settings == Settings() and warnings == []


def test_round_trip(tmp_path):
    path = tmp_path / "settings.json"
    original = Settings(canvas_width=1024, canvas_height=768, cadence_seconds=3.5,
                        backend="comfyui", server_url="https://gpu.clinic:8443",
                        last_export_dir="/somewhere", window_geometry="AdnQyw==")
    save_settings(path, original)
    assert load_settings(path) == (original, [])


def test_corrupt_file_gives_defaults_and_a_warning(tmp_path):
    path = tmp_path / "settings.json"
    path.write_bytes(b"{\"canvas_width\": 9\x00\xff garbage")
    settings, warnings = load_settings(path)
    assert settings == Settings()
    assert len(warnings) == 1 and "unreadable" in warnings[0]


def test_a_byte_order_mark_as_windows_notepad_writes_is_read(tmp_path):
    path = tmp_path / "settings.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"canvas_width": 1024}).encode())
    assert load_settings(path) == (Settings(canvas_width=1024), [])


def test_an_unreadable_file_is_kept_aside_before_the_defaults_replace_it(tmp_path):
    path = tmp_path / "settings.json"
    hand_edited = '{"canvas_width": 1024, "last_export_dir": "/clients",}'  # trailing comma
    path.write_text(hand_edited)
    settings, warnings = load_settings(path)
    assert settings == Settings()
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("settings.json.broken-")]
    assert len(kept) == 1 and re.fullmatch(r"settings\.json\.broken-\d{8}-\d{6}", kept[0].name)
    assert len(warnings) == 1 and kept[0].name in warnings[0]
    save_settings(path, settings)  # as the app does at quit
    assert kept[0].read_text() == hand_edited


def test_bad_values_fall_back_one_by_one(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"canvas_width": True, "canvas_height": 2_000_000,
                                "cadence_seconds": "fast", "last_export_dir": "/ok",
                                "unknown_key": 1}))
    settings, warnings = load_settings(path)
    assert settings.canvas_width == Settings().canvas_width
    assert settings.canvas_height == Settings().canvas_height
    assert settings.cadence_seconds == Settings().cadence_seconds
    assert settings.last_export_dir == "/ok"
    assert len(warnings) == 3


def test_a_json_list_is_not_settings(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text("[1, 2]")
    settings, warnings = load_settings(path)
    assert settings == Settings() and warnings


def test_switches_take_only_true_or_false_and_modes_only_known_names(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"installation_glyph": 1, "composition": "cubism"}))
    settings, warnings = load_settings(path)
    assert settings.installation_glyph is False and settings.composition == "collage"
    assert len(warnings) == 2
    path.write_text(json.dumps({"installation_glyph": True, "composition": "layers"}))
    settings, warnings = load_settings(path)
    assert settings.installation_glyph is True and settings.composition == "layers"
    assert warnings == []


def test_an_unknown_backend_falls_back_to_auto_with_a_warning(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"backend": "midjourney"}))
    settings, warnings = load_settings(path)
    assert settings.backend == "auto"
    assert warnings == ["setting backend='midjourney' is not one of auto, painter, diffusion, "
                        "comfyui; using 'auto'"]


def test_generation_settings_are_kept_in_range(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"lora_strength": 3.0, "palette_strength": 0.3,
                                "model": "/models/sd15.safetensors", "compile_unet": True}))
    settings, warnings = load_settings(path)
    assert settings.lora_strength == 1.0 and len(warnings) == 1
    assert settings.palette_strength == 0.3 and settings.compile_unet is True
    assert settings.model == "/models/sd15.safetensors"


def test_the_canvas_background_is_a_colour_or_the_default(tmp_path):
    from animo_desktop.composition import DEFAULT_BACKGROUND
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"canvas_background": "#12151B"}))
    assert load_settings(path) == (Settings(canvas_background="#12151b"), [])
    for bad in ("red", "#12151", "#12151bff", "12151b", "#gg0000", ""):
        path.write_text(json.dumps({"canvas_background": bad}))
        settings, warnings = load_settings(path)
        assert settings.canvas_background == DEFAULT_BACKGROUND
        assert len(warnings) == 1 and "#rrggbb" in warnings[0]
    path.write_text(json.dumps({"canvas_background": 0x12151B}))
    settings, warnings = load_settings(path)
    assert settings.canvas_background == DEFAULT_BACKGROUND and "wrong type" in warnings[0]
