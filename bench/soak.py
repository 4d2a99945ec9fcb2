"""The soak benchmark, as a script: the same as `animo bench soak` (same options).

Usage: python bench/soak.py [--artworks N] [--minutes M] [--backend diffusion|painter]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from animo_desktop.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["bench", "soak", *sys.argv[1:]]))
