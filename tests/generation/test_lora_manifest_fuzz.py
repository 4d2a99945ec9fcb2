"""emotions.toml with whatever a hand edit could leave in it: the manifest always loads,
with warnings for what it could not use, and only valid entries get through."""

import json
import math

from hypothesis import given, strategies as st

from animo_desktop.emotions import Emotion
from animo_desktop.generation.lora_manifest import (FEW_STEP_SCHEDULERS, LoraManifest,
                                                    load_manifest)

ENTRY_KEYS = ("file", "weight", "trigger_words", "prompt_additions", "scheduler", "steps",
              "guidance_scale")
TABLE_NAMES = tuple(emotion.value for emotion in Emotion) + ("happy", "bored", "")

scalars = (st.booleans() | st.integers(-2**63, 2**63 - 1) | st.floats() | st.text(max_size=12)
           | st.sampled_from(["lcm", "LCM", "joy.safetensors", "~nosuchuser/x", "../.."]))
values = st.recursive(scalars, lambda children: st.lists(children, max_size=3)
                      | st.dictionaries(st.text(max_size=6), children, max_size=3),
                      max_leaves=8)
tables = st.dictionaries(st.sampled_from(ENTRY_KEYS) | st.text(max_size=6), values,
                         max_size=5)


def quoted(text: str) -> str:
    """A TOML basic string: JSON's escapes of control characters are valid TOML too."""
    return json.dumps(text, ensure_ascii=False)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)  # repr: inf, -inf, 1e+20
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return quoted(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    return "{" + ", ".join(f"{quoted(key)} = {toml_value(item)}"
                           for key, item in value.items()) + "}"


def toml_document(top: dict, emotions: dict, few_step) -> str:
    lines = [f"{quoted(key)} = {toml_value(value)}" for key, value in top.items()]
    for name, table in emotions.items():
        lines.append(f"[emotions.{quoted(name)}]")
        lines += [f"{quoted(key)} = {toml_value(value)}" for key, value in table.items()]
    if few_step is not None:
        lines.append("[few_step]")
        lines += [f"{quoted(key)} = {toml_value(value)}" for key, value in few_step.items()]
    return "\n".join(lines) + "\n"


def assert_only_valid_entries(manifest, warnings):
    assert isinstance(manifest, LoraManifest) and all(isinstance(w, str) for w in warnings)
    for emotion, entry in manifest.emotions.items():
        assert entry.emotion is emotion and 0.0 <= entry.weight <= 2.0
        assert all(isinstance(word, str)
                   for word in entry.trigger_words + entry.prompt_additions)
    if manifest.few_step is not None:
        assert 1 <= manifest.few_step.steps <= 12
        assert 0.0 <= manifest.few_step.guidance_scale <= 3.0
        assert manifest.few_step.scheduler in FEW_STEP_SCHEDULERS


@given(top=st.dictionaries(st.sampled_from(["directory", "emotions", "few_step"]), values,
                           max_size=2),
       emotions=st.dictionaries(st.sampled_from(TABLE_NAMES) | st.text(max_size=6), tables,
                                max_size=4),
       few_step=st.none() | tables)
def test_any_well_formed_manifest_loads_with_warnings_never_an_exception(
        tmp_path_factory, top, emotions, few_step):
    folder = tmp_path_factory.mktemp("lora")
    # A key both at the top and as a table is a TOML error: that is fuzzed below.
    document = toml_document({key: value for key, value in top.items()
                              if key not in ("emotions", "few_step") or not emotions},
                             emotions, few_step if "few_step" not in top else None)
    (folder / "emotions.toml").write_text(document, encoding="utf-8")
    assert_only_valid_entries(*load_manifest(folder))


@given(text=st.text(max_size=200) | st.binary(max_size=200))
def test_any_text_or_bytes_load_with_warnings_never_an_exception(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("lora") / "emotions.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    assert_only_valid_entries(*load_manifest(path))


def test_pathological_manifests_are_reported_not_raised(tmp_path):
    path = tmp_path / "emotions.toml"
    for document, complaint in (
            ("a = " + "[" * 100_000 + "]" * 100_000, "unreadable"),  # too deep to parse
            ("a = " + "9" * 5000, "unreadable"),  # beyond int()'s digit limit
            ('directory = "~nosuchuser/loras"\n[emotions.joy]\nfile = "joy.safetensors"\n',
             "home directory")):
        path.write_text(document)
        manifest, warnings = load_manifest(path)
        assert len(warnings) == 1 and complaint in warnings[0], warnings
        assert_only_valid_entries(manifest, warnings)
    assert manifest.entry(Emotion.JOY).file == tmp_path / "joy.safetensors"
