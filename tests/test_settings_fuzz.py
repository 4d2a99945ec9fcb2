"""The settings file with whatever a person, a crash or a disk could leave in it: the
app always gets valid settings (and warnings), and can always save them again."""

import json
from dataclasses import fields

from hypothesis import given, strategies as st

from animo_desktop.settings import Settings, load_settings, save_settings

SETTING_NAMES = [spec.name for spec in fields(Settings)]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)
settings_like = st.dictionaries(st.sampled_from(SETTING_NAMES) | st.text(max_size=12),
                                json_values, max_size=len(SETTING_NAMES) + 2)


def assert_usable(settings, warnings, tmp_path):
    assert isinstance(settings, Settings) and all(isinstance(w, str) for w in warnings)
    again, _ = settings.validated()
    assert again == settings  # nothing out of range got through
    saved = tmp_path / "saved.json"
    save_settings(saved, settings)
    assert load_settings(saved) == (settings, [])


@given(content=settings_like | json_values)
def test_any_json_gives_valid_settings_that_save_and_load_again(tmp_path_factory, content):
    folder = tmp_path_factory.mktemp("settings")
    path = folder / "settings.json"
    path.write_text(json.dumps(content), encoding="utf-8")  # NaN and Infinity included
    assert_usable(*load_settings(path), folder)


@given(data=st.binary(max_size=300))
def test_any_bytes_give_valid_settings(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("settings")
    path = folder / "settings.json"
    path.write_bytes(data)
    assert_usable(*load_settings(path), folder)


def test_pathological_files_give_defaults_and_a_warning(tmp_path):
    path = tmp_path / "settings.json"
    for content in ("[" * 100_000 + "]" * 100_000,  # deeper than the parser's recursion
                    '{"canvas_width": ' + "9" * 5000 + "}",  # beyond int()'s digit limit
                    '{"last_export_dir": "\\ud800"}'):  # a lone surrogate
        path.write_text(content)
        settings, warnings = load_settings(path)
        assert settings == Settings() and len(warnings) == 1, content[:40]
        assert_usable(settings, warnings, tmp_path)
