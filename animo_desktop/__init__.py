"""ANIMO: real-time emotion-driven art for art therapy."""

import os

__version__ = "0.1.0"

# Everything stays on this machine: the Hugging Face libraries must never reach a hub,
# whichever module imports them first.
for _variable in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE",
                  "DIFFUSERS_OFFLINE"):
    os.environ[_variable] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
