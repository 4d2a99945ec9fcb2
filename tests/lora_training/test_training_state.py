"""The saved training state: a state from another version of its format is refused with
the reason, and one saved with fewer epochs is accepted (to extend the training)."""

import json
from dataclasses import replace

import pytest
import torch

from animo_desktop.lora_training.recipe import TrainingSettings
from animo_desktop.lora_training.training_state import (TrainingState, TrainingStateError,
                                                        load_training_state,
                                                        save_training_state,
                                                        training_state_paths)

SETTINGS = TrainingSettings(resolution=64, epochs=2)


def _saved(tmp_path):
    lora = tmp_path / "joy.safetensors"
    save_training_state(lora, TrainingState(
        SETTINGS, 2, 3, torch.zeros((0, 1), dtype=torch.long), 0, (0.5, 0.25, 0.125, 0.1),
        {"layer.lora_A.weight": torch.ones(2, 2)}, {}, {"state": {}, "param_groups": []},
        {}, torch.Generator().get_state()))
    return lora


def test_a_state_with_fewer_epochs_extends_and_one_with_other_settings_is_refused(tmp_path):
    lora = _saved(tmp_path)
    state = load_training_state(lora, replace(SETTINGS, epochs=5, max_steps=9), 2)
    assert state.step == 4 and state.epoch == 3 and state.epoch_order.shape == (0, 1)
    with pytest.raises(TrainingStateError, match="other settings or images"):
        load_training_state(lora, replace(SETTINGS, rank=16), 2)


def test_a_state_of_another_format_is_refused(tmp_path):
    lora = _saved(tmp_path)
    json_path = training_state_paths(lora)[1]
    saved = json.loads(json_path.read_text(encoding="utf-8"))
    json_path.write_text(json.dumps({**saved, "format": 1}), encoding="utf-8")
    with pytest.raises(TrainingStateError, match="saved by another version of ANIMO"):
        load_training_state(lora, SETTINGS, 2)
