"""The original recipe's training settings (shared/brief/emotion_art.md, "LoRA training",
done with the Kohya_ss GUI): SD 1.5, 512 x 512, batch 1, Adafactor with relative step and
scale parameter off, a constant learning rate of 3e-4 without warm-up, seed 0.

No torch here: `animo --help` shows these defaults without loading it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

DEFAULT_RESOLUTION = 512
DEFAULT_EPOCHS = 10
DEFAULT_LEARNING_RATE = 3e-4
DEFAULT_RANK = 8
# Kohya's default: gradients clipped to norm 1 keep a rare bad step from wrecking the LoRA.
MAX_GRADIENT_NORM = 1.0
ADAFACTOR_OPTIONS = dict(relative_step=False, scale_parameter=False, warmup_init=False)


@dataclass(frozen=True)
class TrainingSettings:
    resolution: int = DEFAULT_RESOLUTION
    epochs: int = DEFAULT_EPOCHS
    max_steps: int | None = None  # stops earlier than the epochs say
    learning_rate: float = DEFAULT_LEARNING_RATE
    rank: int = DEFAULT_RANK  # Kohya's network dim; alpha is the same (a scale of 1)
    batch_size: int = 1
    repeats: int = 1  # each image this many times per epoch
    seed: int = 0

    @property
    def alpha(self) -> float:
        return float(self.rank)

    def steps_per_epoch(self, bucket_image_counts: Sequence[int]) -> int:
        """Batches are drawn within one aspect-ratio bucket: each bucket's last batch may
        be short."""
        return sum(math.ceil(count * self.repeats / self.batch_size)
                   for count in bucket_image_counts)

    def total_steps(self, bucket_image_counts: Sequence[int]) -> int:
        planned = self.epochs * self.steps_per_epoch(bucket_image_counts)
        return min(planned, self.max_steps) if self.max_steps else planned
