"""Installs the ComfyUI that the real-server tests run, from ../shared/vendor, into a
venv of its own (ComfyUI needs a torchvision that matches its torch, which ANIMO's CPU
torch has none of: notes/dependencies.md). Run by .ci/run before the tests, and by the
test fixture when nothing is installed yet; a finished install is reused.

    python tests/comfyui_server/install_server.py [TARBALL]

The install goes to $ANIMO_COMFYUI_HOME, else ~/.cache/animo-comfyui: outside the
repository (6 GB).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import venv
from dataclasses import dataclass
from pathlib import Path

VERSION = "0.3.64"
REPOSITORY = Path(__file__).resolve().parents[2]
TARBALL = REPOSITORY.parent / "shared" / "vendor" / f"ComfyUI-{VERSION}.tar.gz"
HOME_VARIABLE = "ANIMO_COMFYUI_HOME"
# The CUDA build of torch runs on the CPU with --cpu and has a torchvision to match.
TORCH_PINS = ("torch==2.14.1", "torchvision==0.29.1")
# torch comes pinned above; no torchaudio matches it (ComfyUI's two audio nodes then fail
# to import, which SD 1.5 does not need); requests is missing from requirements.txt.
SKIPPED_REQUIREMENTS = ("torch", "torchvision", "torchaudio")
EXTRA_REQUIREMENTS = ("requests",)


@dataclass(frozen=True)
class ServerInstall:
    home: Path

    @property
    def source(self) -> Path:
        return self.home / f"ComfyUI-{VERSION}"

    @property
    def python(self) -> Path:
        return self.home / "venv" / "bin" / "python"

    @property
    def marker(self) -> Path:
        return self.home / "installed.sha256"

    def is_installed_from(self, tarball: Path) -> bool:
        return self.marker.is_file() and self.marker.read_text().strip() == _sha256(tarball)


def default_install() -> ServerInstall:
    home = os.environ.get(HOME_VARIABLE) or Path.home() / ".cache" / "animo-comfyui"
    return ServerInstall(Path(home))


def install(tarball: Path = TARBALL, target: ServerInstall | None = None) -> ServerInstall:
    """ComfyUI unpacked and its venv built, unless the same tarball is already installed."""
    target = target or default_install()
    if target.is_installed_from(tarball):
        return target
    target.home.mkdir(parents=True, exist_ok=True)
    target.marker.unlink(missing_ok=True)
    with tarfile.open(tarball) as archive:
        archive.extractall(target.home, filter="data")
    venv.create(target.home / "venv", with_pip=True, clear=True)
    pip = [str(target.python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, *TORCH_PINS], check=True)
    requirements = target.home / "requirements-without-torch.txt"
    requirements.write_text("\n".join(
        [line for line in (target.source / "requirements.txt").read_text().splitlines()
         if _requirement_name(line) not in SKIPPED_REQUIREMENTS] + list(EXTRA_REQUIREMENTS)))
    subprocess.run([*pip, "-r", str(requirements)], check=True)
    target.marker.write_text(_sha256(tarball))
    return target


def _requirement_name(line: str) -> str:
    name = line.split("#", 1)[0].strip()
    for separator in "<>=~!;[ ":
        name = name.split(separator, 1)[0]
    return name.lower()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


if __name__ == "__main__":
    tarball = Path(sys.argv[1]) if len(sys.argv) > 1 else TARBALL
    if not tarball.is_file():
        sys.exit(f"{tarball} is not here: the ComfyUI tests cannot run")
    installed = install(tarball)
    print(f"ComfyUI {VERSION} installed in {installed.home}")
