"""An artwork's generation settings as AUTOMATIC1111's `parameters` PNG text.

Tools that read A1111 PNGs (A1111's "PNG Info", ComfyUI, Civitai, image viewers) show
and reuse these settings.
"""

from __future__ import annotations

from animo_desktop.messages import ArtworkMetadata

PARAMETERS_KEY = "parameters"


def a1111_parameters(metadata: ArtworkMetadata) -> str:
    extra = metadata.extra
    fields = {
        "Steps": extra.get("steps"),
        "Sampler": extra.get("scheduler"),
        "CFG scale": extra.get("guidance_scale"),
        "Seed": metadata.seed,
        "Size": "x".join(str(side) for side in extra["size"]) if "size" in extra else None,
        "Model hash": extra.get("model_hash") or None,
        "Model": metadata.model,
        "Lora": metadata.lora,
        "Lora weight": extra.get("lora_weight") if metadata.lora else None,
        "Emotion": metadata.emotion.value,
    }
    settings = ", ".join(f"{name}: {value}" for name, value in fields.items() if value is not None)
    lines = [metadata.prompt]
    if extra.get("negative_prompt"):
        lines.append(f"Negative prompt: {extra['negative_prompt']}")
    lines.append(settings)
    return "\n".join(lines)
