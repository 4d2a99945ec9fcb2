"""Emotion sensing (Qt-free): cameras, face landmarks, the emotion classifier."""

import os

# onnxruntime 1.31 on Linux starts a telemetry client on import (a device id and an event
# database under ~/.cache/Microsoft/DeveloperTools, a Microsoft collector address built
# in) unless this is set before it is imported. Nothing may leave the clinic's computer.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"
