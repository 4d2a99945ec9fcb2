import subprocess
import sys

MODULES = ("comfyui_backend", "job_graph", "job_tracker", "queue_answer", "server_address",
           "server_client", "server_inventory", "server_token", "websocket_messages")


def test_the_comfyui_modules_load_neither_torch_nor_qt():
    # A room that sends its jobs to a server needs no torch; the client stays Qt-free.
    imports = "; ".join(f"import animo_desktop.generation.comfyui.{name}" for name in MODULES)
    code = (f"import sys; {imports}; "
            "print(sorted(m for m in ('torch', 'diffusers', 'PySide6') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"
