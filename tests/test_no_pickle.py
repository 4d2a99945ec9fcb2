"""No pickle anywhere: opening a pickle runs whatever code it holds.

A source scan keeps every unpickling loader out of the package; each file ANIMO's own
loaders read (settings, session state, LoRA manifest) is JSON or TOML, and a booby-trapped
pickle given to them is refused without running. The model and LoRA entry points are
checked with the same trap in tests/generation/test_no_pickle_weights.py.
"""

import ast
import pickle
from pathlib import Path

import pytest

import animo_desktop
from animo_desktop.generation.lora_manifest import load_manifest
from animo_desktop.session import find_unfinished_session
from animo_desktop.settings import Settings, load_settings

PACKAGE = Path(animo_desktop.__file__).parent

# Modules and calls that unpickle (torch.load: even with weights_only, the format is
# pickle; TorchScript archives hold pickles too).
UNPICKLING_MODULES = {"pickle", "_pickle", "cPickle", "dill", "cloudpickle", "joblib",
                      "shelve", "marshal"}
UNPICKLING_CALLS = {"torch.load", "torch.jit.load", "np.load", "numpy.load",
                    "pd.read_pickle", "pandas.read_pickle", "yaml.load", "yaml.unsafe_load"}
# Calls that read model weights from a folder: they must be told to take safetensors only.
WEIGHT_LOADERS = {"from_pretrained"}
CONFIG_CLASSES = ("Config", "Tokenizer", "Scheduler")  # their from_pretrained reads JSON


class _Trap:
    """Unpickling this creates the marker file: proof that a loader ran a pickle."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return Path.touch, (self.marker,)


def booby_trapped_pickle(path: Path, marker: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(_Trap(marker)))
    return path


def test_the_trap_works(tmp_path):
    """Else the tests that use it would prove nothing."""
    marker = tmp_path / "ran"
    pickle.loads(booby_trapped_pickle(tmp_path / "x.pkl", marker).read_bytes())
    assert marker.exists()


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


def unpickling_uses(source: str, filename: str) -> list[str]:
    """Where this source imports an unpickling module, calls an unpickling loader, or
    loads weights without insisting on safetensors."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found += [f"{where} import {alias.name}" for alias in node.names
                      if alias.name.split(".")[0] in UNPICKLING_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in UNPICKLING_MODULES:
                found.append(f"{where} from {node.module} import ...")
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            keywords = {keyword.arg: keyword.value for keyword in node.keywords}
            if name in UNPICKLING_CALLS:
                found.append(f"{where} {name}()")
            elif name.rsplit(".", 1)[-1] in WEIGHT_LOADERS and not name.rsplit(".", 2)[-2] \
                    .endswith(CONFIG_CLASSES):
                safe = keywords.get("use_safetensors")
                if not (isinstance(safe, ast.Constant) and safe.value is True):
                    found.append(f"{where} {name}() without use_safetensors=True")
    return found


def test_no_module_of_the_package_can_unpickle():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += unpickling_uses(path.read_text(encoding="utf-8"),
                                 str(path.relative_to(PACKAGE.parent)))
    assert found == []


@pytest.mark.parametrize("source", [
    "import pickle",
    "from joblib import load",
    "import torch\nstate = torch.load('model.ckpt', weights_only=True)",
    "import numpy as np\narray = np.load('x.npy', allow_pickle=True)",
    "pipeline = StableDiffusionPipeline.from_pretrained(folder)",
    "pipeline = StableDiffusionPipeline.from_pretrained(folder, use_safetensors=False)",
])
def test_the_scan_finds_each_kind_of_unpickling(source):
    assert unpickling_uses(source, "example.py")


def test_the_scan_accepts_safe_loading():
    assert unpickling_uses(
        "pipeline = StableDiffusionPipeline.from_pretrained(folder, use_safetensors=True)\n"
        "config = CLIPTextConfig.from_pretrained(folder)\n"
        "from safetensors.torch import load_file\n", "example.py") == []


def test_a_pickled_settings_file_gives_defaults_and_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    path = booby_trapped_pickle(tmp_path / "settings.json", marker)
    settings, warnings = load_settings(path)
    assert settings == Settings() and "unreadable" in warnings[0]
    assert not marker.exists()


def test_a_pickled_lora_manifest_is_reported_and_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    booby_trapped_pickle(tmp_path / "emotions.toml", marker)
    manifest, warnings = load_manifest(tmp_path)
    assert manifest.emotions == {} and "unreadable" in warnings[0]
    assert not marker.exists()


def test_a_pickled_session_state_is_skipped_and_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    booby_trapped_pickle(tmp_path / "session-x" / "session.json", marker)
    # Neither are states that parse but hold no session, or do not parse at all.
    (tmp_path / "session-y").mkdir()
    (tmp_path / "session-y" / "session.json").write_text("[]")
    (tmp_path / "session-z").mkdir()
    (tmp_path / "session-z" / "session.json").write_text("[" * 100_000)
    assert find_unfinished_session(tmp_path) is None
    assert not marker.exists()
