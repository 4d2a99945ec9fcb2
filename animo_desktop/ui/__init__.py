"""The Qt layer: thin widgets and workers over the Qt-free modules."""
