"""The emotion LoRAs, read once at start and switched in place in microseconds.

How switching works, and why:
- Each LoRA file is read from disk once. diffusers loads it into the pipeline under a
  temporary adapter name (so diffusers, PEFT and Kohya/AUTOMATIC1111 key layouts and
  their alphas are all understood by the library), ANIMO copies out each layer's down
  and up matrices with the LoRA's scale folded into the up matrix, and the temporary
  adapter is deleted.
- One adapter, the "slot", is then created over the union of all targeted layers at
  the largest rank, initialised to zero. Switching emotion copies that emotion's
  matrices into the slot's parameters in place (zero-padded to the slot's rank, zero for
  the layers it does not target), the blend weight multiplied in. This is what diffusers'
  and PEFT's hot-swap do, but it also covers the text encoder (diffusers' hotswap=True
  refuses text encoders) and skips their per-call name lookups.
- Because only parameter values change, never modules, adapter lists or Python scales, a
  torch.compile'd UNet keeps its compiled graph: no recompilation on a switch.
  `animo bench swap` measures this against the original system's load-per-generation.
- A LoRA trained while the app runs is loaded in place of its emotion's (`reload`): when
  it fits the slot (no larger rank, no other layers) only its matrices change, hot-swapped
  like a switch; else the slot is built anew around every LoRA (a compiled UNet then
  compiles again).
"""

from __future__ import annotations

import logging
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
from peft.tuners.tuners_utils import BaseTunerLayer

from animo_desktop.emotions import Emotion
from animo_desktop.generation.lora_manifest import EmotionLora, FewStepLora, LoraManifest
from animo_desktop.generation.model_loading import first_line, non_finite_tensors
from animo_desktop.generation.model_locator import refuse_pickle
from animo_desktop.generation.safetensors_header import damaged
from animo_desktop.messages import sentence

log = logging.getLogger(__name__)

SLOT_ADAPTER = "animo_emotion"
_STAGING_ADAPTER = "animo_staging"
_FEW_STEP_ADAPTER = "animo_few_step"
# The components the SD 1.x LoRA loader targets, by pipeline attribute.
LORA_COMPONENTS = ("unet", "text_encoder")
# The layers a LoRA adapts: the attention projections of the UNet and the text encoder.
UNET_LORA_TARGETS = ("to_q", "to_k", "to_v", "to_out.0")
TEXT_ENCODER_LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "out_proj")
# Key fragments that mark a LoRA's down matrix in the layouts diffusers accepts.
_DOWN_KEY_MARKS = ("lora_A.", "lora_down.", "lora.down.", "lora_linear_layer.down.")


class LoraFileError(Exception):
    """A LoRA file that cannot be used: unreadable, pickled, or made for another model."""


@dataclass(frozen=True)
class _LayerDelta:
    down: torch.Tensor  # (rank, in, ...) zero-padded to the slot's rank
    up: torch.Tensor  # (out, rank, ...) zero-padded, the LoRA's scale folded in


def read_lora_file(path: Path) -> dict[str, torch.Tensor]:
    """Read one LoRA's tensors from a .safetensors file (the only disk read per LoRA)."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    refuse_pickle(path)
    if not path.is_file():  # a FIFO too: reading it would wait forever
        raise LoraFileError(f"LoRA file {path} "
                            f"{'is not a regular file' if path.exists() else 'does not exist'}")
    if damage := damaged(path):
        raise LoraFileError(f"LoRA file {path} {damage}")
    try:
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as error:
        raise LoraFileError(f"LoRA file {path} is not a readable safetensors file ({error})") \
            from error
    # A NaN or an infinity anywhere would turn every artwork of that emotion black.
    if bad := non_finite_tensors(tensors.items()):
        raise LoraFileError(f"LoRA file {path} holds weights that are not finite numbers "
                            f"(NaN or infinity) in {len(bad)} of its {len(tensors)} tensors, "
                            f"first {bad[0]}: a damaged or badly trained LoRA")
    return tensors


@contextmanager
def _staging_adapters():
    """PEFT warns whenever a second adapter joins a model, and when the staging adapter,
    made active by its loading, leaves it again; here that is the design."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Already found a `peft_config`")
        warnings.filterwarnings("ignore", message="Adapter .* was active which is now deleted")
        yield


def _down_key_count(state_dict: dict[str, torch.Tensor]) -> int:
    return sum(1 for key in state_dict
               if key.endswith("weight") and any(mark in key for mark in _DOWN_KEY_MARKS))


def _tuner_layers(pipeline) -> dict[str, BaseTunerLayer]:
    """Every LoRA-capable layer of the pipeline, named 'component.module.path'."""
    layers = {}
    for component in LORA_COMPONENTS:
        for name, module in getattr(pipeline, component).named_modules():
            if isinstance(module, BaseTunerLayer):
                layers[f"{component}.{name}"] = module
    return layers


def fuse_few_step_lora(pipeline, entry: FewStepLora) -> None:
    """Fuse an LCM-LoRA (or another few-step LoRA) into the base weights, once."""
    pipeline.load_lora_weights(read_lora_file(entry.file), adapter_name=_FEW_STEP_ADAPTER)
    pipeline.fuse_lora(adapter_names=[_FEW_STEP_ADAPTER], lora_scale=1.0)
    # Keeps the fused weights and removes the LoRA layers: emotion LoRAs start clean.
    pipeline.unload_lora_weights()


class EmotionLoraBank:
    """All emotion LoRAs of a manifest, preloaded, one of them active at a time."""

    def __init__(self, pipeline, manifest: LoraManifest,
                 read_file: Callable[[Path], dict[str, torch.Tensor]] = read_lora_file):
        self._pipeline = pipeline
        self._manifest = manifest
        self._read_file = read_file
        self._deltas: dict[Emotion, dict[str, _LayerDelta]] = {}
        self._slot: dict[str, tuple[torch.nn.Parameter, torch.nn.Parameter]] = {}
        self._slot_scales: dict[str, float] = {}  # each slot layer's own PEFT scale
        # None: the slot's matrices are not known to be any emotion's (copy on activate).
        self._active: tuple[Emotion | None, float] | None = None

    @property
    def loaded(self) -> tuple[Emotion, ...]:
        return tuple(self._deltas)

    def lora_for(self, emotion: Emotion) -> EmotionLora | None:
        """The manifest entry of the emotion's LoRA when it is loaded, else None."""
        return self._manifest.entry(emotion) if emotion in self._deltas else None

    def load(self, on_progress: Callable[[str], None] = lambda text: None) -> list[str]:
        """Read every emotion's LoRA once; return a warning per LoRA that falls back."""
        problems = []
        raw: dict[Emotion, dict[str, _LayerDelta]] = {}
        entries = [entry for entry in self._manifest.emotions.values() if entry.file]
        for number, entry in enumerate(entries, 1):
            on_progress(f"Loading emotion LoRA {number}/{len(entries)}: {entry.file.name}")
            try:
                raw[entry.emotion] = self._extract(entry.file)
            except Exception as error:  # any bad file only costs its own emotion
                log.warning("LoRA %s for %s falls back to prompt-only: %s", entry.file,
                            entry.emotion.value, error)
                problems.append(f"The {entry.emotion.value} LoRA ({entry.file.name}) could not "
                                f"be used: {sentence(str(error))} That emotion is generated "
                                "from the prompt alone.")
        if raw:
            self._create_slot(raw)
        return problems

    def _extract(self, path: Path) -> dict[str, _LayerDelta]:
        state_dict = self._read_file(path)
        expected = _down_key_count(state_dict)
        try:
            with _staging_adapters():
                self._pipeline.load_lora_weights(state_dict, adapter_name=_STAGING_ADAPTER)
            layers = {}
            for name, layer in _tuner_layers(self._pipeline).items():
                if _STAGING_ADAPTER in layer.lora_A:
                    layers[name] = _LayerDelta(
                        layer.lora_A[_STAGING_ADAPTER].weight.detach().clone(),
                        layer.lora_B[_STAGING_ADAPTER].weight.detach()
                        * layer.scaling[_STAGING_ADAPTER])
        except (RuntimeError, ValueError, KeyError) as error:
            raise LoraFileError(f"it does not fit this model ({first_line(error)})") from error
        finally:
            if any(_STAGING_ADAPTER in names
                   for names in self._pipeline.get_list_adapters().values()):
                with _staging_adapters():
                    self._pipeline.delete_adapters(_STAGING_ADAPTER)
        if not layers or len(layers) < expected:
            raise LoraFileError(f"only {len(layers)} of its {expected} layers exist in this "
                                "model (a LoRA for another base model?)")
        return layers

    def reload(self, manifest: LoraManifest, emotion: Emotion) -> list[str]:
        """Load the emotion's LoRA anew as this manifest names it (a LoRA just trained), in
        place of the one in memory; the next activate uses it. Returns a warning when the
        file cannot be used: the emotion then keeps the LoRA it had."""
        entry = manifest.entry(emotion)
        try:
            layers = self._extract(entry.file) if entry.file else None
        except Exception as error:  # a bad file only costs its own emotion
            log.warning("new LoRA %s for %s not used: %s", entry.file, emotion.value, error)
            return [f"The new {emotion.value} LoRA ({entry.file.name}) could not be used: "
                    f"{sentence(str(error))} The {emotion.value} artworks go on as before."]
        self._manifest = manifest
        self._active = None
        if layers is None:
            self._deltas.pop(emotion, None)
        elif self._fits(layers):
            self._deltas[emotion] = self._fitted(layers)
        else:
            self._rebuild_slot({**self._unfitted(), emotion: layers})
        return []

    def _fits(self, layers: dict[str, _LayerDelta]) -> bool:
        return bool(self._slot) and all(
            name in self._slot and delta.down.shape[0] <= self._slot[name][0].shape[0]
            for name, delta in layers.items())

    def _fitted(self, layers: dict[str, _LayerDelta]) -> dict[str, _LayerDelta]:
        """Zero-padded to the slot's rank, with the slot's own scale divided out (it
        multiplies whatever is copied in)."""
        rank = next(iter(self._slot.values()))[0].shape[0]
        return {name: _LayerDelta(_pad_rank(delta.down, rank, dim=0),
                                  _pad_rank(delta.up / self._slot_scales[name], rank, dim=1))
                for name, delta in layers.items()}

    def _unfitted(self) -> dict[Emotion, dict[str, _LayerDelta]]:
        """The loaded LoRAs as extracted (their zero padding changes nothing)."""
        return {emotion: {name: _LayerDelta(delta.down, delta.up * self._slot_scales[name])
                          for name, delta in layers.items()}
                for emotion, layers in self._deltas.items()}

    def _rebuild_slot(self, raw: dict[Emotion, dict[str, _LayerDelta]]) -> None:
        if self._slot:
            self._pipeline.delete_adapters(SLOT_ADAPTER)
        self._slot, self._slot_scales, self._deltas = {}, {}, {}
        self._create_slot(raw)

    def _create_slot(self, raw: dict[Emotion, dict[str, _LayerDelta]]) -> None:
        rank = max(delta.down.shape[0] for layers in raw.values() for delta in layers.values())
        shapes: dict[str, _LayerDelta] = {}
        for layers in raw.values():
            for name, delta in layers.items():
                shapes.setdefault(name, delta)
        zeros = {}
        for name, delta in shapes.items():
            zeros[f"{name}.lora_A.weight"] = delta.down.new_zeros(rank, *delta.down.shape[1:])
            zeros[f"{name}.lora_B.weight"] = delta.up.new_zeros(delta.up.shape[0], rank,
                                                                *delta.up.shape[2:])
        with _staging_adapters():
            self._pipeline.load_lora_weights(zeros, adapter_name=SLOT_ADAPTER)
        layers = _tuner_layers(self._pipeline)
        for name in shapes:
            layer = layers[name]
            self._slot[name] = (layer.lora_A[SLOT_ADAPTER].weight, layer.lora_B[SLOT_ADAPTER].weight)
            self._slot_scales[name] = layer.scaling[SLOT_ADAPTER]
        for emotion, emotion_layers in raw.items():
            self._deltas[emotion] = self._fitted(emotion_layers)
        self._active = (None, 0.0)

    def activate(self, emotion: Emotion, blend: float = 1.0) -> float:
        """Make this emotion's LoRA the active one at manifest weight x blend; an emotion
        with no LoRA switches the slot off. No disk access, no new modules.

        Returns the weight now applied (0.0: no LoRA acts)."""
        weight = self._manifest.entry(emotion).weight * blend if emotion in self._deltas else 0.0
        key = (emotion if weight else None, weight)
        if not self._slot or key == self._active:
            return weight
        deltas = self._deltas.get(emotion, {})
        with torch.no_grad():
            for name, (down, up) in self._slot.items():
                delta = deltas.get(name)
                if delta is None or not weight:
                    up.zero_()
                    continue
                down.copy_(delta.down)
                torch.mul(delta.up, weight, out=up)
        self._active = key
        return weight


def _pad_rank(tensor: torch.Tensor, rank: int, dim: int) -> torch.Tensor:
    if tensor.shape[dim] == rank:
        return tensor.contiguous()
    shape = list(tensor.shape)
    shape[dim] = rank
    padded = tensor.new_zeros(shape)
    padded.narrow(dim, 0, tensor.shape[dim]).copy_(tensor)
    return padded
