"""The onnx_models/ scripts, loaded as modules: they are tools beside the package, not in it."""

import importlib.util
import sys

from animo_desktop.vision.classifier import MODELS_DIR


def load_script(name):
    """onnx_models/NAME.py as the module NAME (registered, so that scripts importing each
    other by name find the same module)."""
    spec = importlib.util.spec_from_file_location(name, MODELS_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
