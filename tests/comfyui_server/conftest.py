"""A real ComfyUI server for the tests of the comfyui backend: ComfyUI 0.3.64 from
../shared/vendor in a venv of its own (install_server.py), on 127.0.0.1 on a free port,
on the CPU, with a thin SD 1.5-layout checkpoint and Kohya-format emotion LoRAs built at
test time.

Without the tarball these tests skip, saying so; on CI (CI=true) they fail instead, so a
missing server never passes unseen. The test modules here allow sockets to 127.0.0.1 only
(pytest.mark.allow_hosts); every other test keeps pytest-socket's ban.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.comfyui_server.install_server import TARBALL, ServerInstall, install

LOOPBACK = "127.0.0.1"
START_TIMEOUT_S = 240.0  # importing torch and the nodes on a busy 2-core machine
READY_LINE = "To see the GUI go to:"
SERVER_ARGUMENTS = ("--cpu", "--preview-method", "latent2rgb", "--disable-metadata",
                    "--disable-api-nodes", "--disable-auto-launch")
# The server's own threads: one is steadier than two beside the test process.
SERVER_ENVIRONMENT = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

only_loopback = pytest.mark.allow_hosts([LOOPBACK])


def free_loopback_port() -> int:
    """A port free on 127.0.0.1 now, asked of a child process: this one's sockets are
    guarded by pytest-socket until a test allows them."""
    script = ("import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); "
              "print(s.getsockname()[1])")
    return int(subprocess.run(["python3", "-c", script], capture_output=True, text=True,
                              check=True).stdout)


@dataclass
class ComfyUIServer:
    install: ServerInstall
    base: Path  # the server's models, input, output, temp and user folders
    checkpoint_name: str
    port: int = 0
    process: subprocess.Popen | None = None
    log_path: Path = field(init=False)

    def __post_init__(self):
        self.log_path = self.base / "server.log"

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self, port: int | None = None) -> None:
        """Start it (on the same port after a stop, unless told another) and wait until
        it listens."""
        self.port = port or self.port or free_loopback_port()
        log_file = self.log_path.open("a")
        self.process = subprocess.Popen(
            [str(self.install.python), "main.py", "--listen", LOOPBACK, "--port",
             str(self.port), "--base-directory", str(self.base), *SERVER_ARGUMENTS],
            cwd=self.install.source, stdout=log_file, stderr=subprocess.STDOUT,
            env={**os.environ, **SERVER_ENVIRONMENT})
        log_file.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        start_offset = self.log_path.stat().st_size
        while READY_LINE not in self._log_since(start_offset):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"ComfyUI did not start: {self._log_since(0)[-3000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def _log_since(self, offset: int) -> str:
        with self.log_path.open(errors="replace") as log:
            log.seek(offset)
            return log.read()


def server_install() -> ServerInstall:
    """The installed server, installing it when needed; skip (fail on CI) without the
    tarball."""
    if not TARBALL.is_file():
        reason = f"the ComfyUI tarball {TARBALL} is not here"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}: the real-server tests must run on CI")
        pytest.skip(reason)
    return install(TARBALL)


@pytest.fixture(scope="session")
def comfyui_server(tmp_path_factory) -> ComfyUIServer:
    from tests.comfyui_server.thin_checkpoint import kohya_loras, thin_checkpoint, write_manifest

    installed = server_install()
    checkpoint = thin_checkpoint(installed.home / "checkpoints")
    base = tmp_path_factory.mktemp("comfyui-base")
    (base / "models" / "checkpoints").mkdir(parents=True)
    (base / "models" / "checkpoints" / checkpoint.name).symlink_to(checkpoint)
    (base / "models" / "loras").symlink_to(kohya_loras(installed.home / "loras"),
                                           target_is_directory=True)
    # --base-directory moves custom_nodes too: SaveImageWebsocket lives there.
    shutil.copytree(installed.source / "custom_nodes", base / "custom_nodes")
    server = ComfyUIServer(installed, base, checkpoint.name)
    write_manifest(base / "animo-lora")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def lora_dir(comfyui_server) -> Path:
    """ANIMO's manifest naming the server's emotion LoRAs."""
    return comfyui_server.base / "animo-lora"
