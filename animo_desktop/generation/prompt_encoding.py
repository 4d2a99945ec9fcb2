"""Prompts longer than CLIP's 77 tokens, encoded the way AUTOMATIC1111 and ComfyUI do.

CLIP reads 77 tokens, 75 between its start and end marks, and diffusers drops the rest.
An ANIMO prompt puts the emotion's palette words after the trigger words and the
therapist's theme, so a long theme would silently push the palette out. Instead the
prompt is cut into chunks of 75 tokens, each chunk is encoded on its own and the
embeddings are laid end to end: the UNet's cross-attention reads any number of tokens. A
chunk ends after the last comma within its final 20 tokens, as in AUTOMATIC1111, so that
a phrase stays whole. The negative prompt gets empty chunks up to the same length, which
classifier-free guidance needs.

A prompt of one chunk is encoded exactly as the diffusers pipeline encodes it. With a
torch.compile'd UNet, each new number of chunks compiles once more (a longer theme);
switching emotion never does.
"""

from __future__ import annotations

import torch

COMMA_BACKTRACK = 20  # AUTOMATIC1111's default


def token_chunks(tokenizer, text: str) -> list[list[int]]:
    """The prompt's token ids (without start and end marks) in chunks of at most 75."""
    per_chunk = tokenizer.model_max_length - 2
    ids = tokenizer(text, add_special_tokens=False, truncation=False, verbose=False).input_ids
    comma = tokenizer(",", add_special_tokens=False).input_ids
    comma_id = comma[0] if len(comma) == 1 else None
    chunks: list[list[int]] = []
    while len(ids) > per_chunk:
        cut = per_chunk
        tail = ids[per_chunk - COMMA_BACKTRACK:per_chunk]
        if comma_id in tail:
            cut = per_chunk - COMMA_BACKTRACK + (len(tail) - tail[::-1].index(comma_id))
        chunks.append(ids[:cut])
        ids = ids[cut:]
    chunks.append(ids)
    return chunks


def _encode_chunks(tokenizer, text_encoder, chunks: list[list[int]]) -> torch.Tensor:
    length = tokenizer.model_max_length
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    rows = [[tokenizer.bos_token_id, *chunk, tokenizer.eos_token_id]
            + [pad] * (length - 2 - len(chunk)) for chunk in chunks]
    ids = torch.tensor(rows, device=text_encoder.device)
    with torch.no_grad():
        embeddings = text_encoder(ids)[0]  # (chunks, 77, width)
    return embeddings.reshape(1, -1, embeddings.shape[-1]).to(text_encoder.dtype)


def encode_prompts(tokenizer, text_encoder, prompt: str, negative_prompt: str
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    """(prompt_embeds, negative_prompt_embeds) for the pipeline, of equal length: every
    word of both prompts reaches the UNet."""
    positive = token_chunks(tokenizer, prompt)
    negative = token_chunks(tokenizer, negative_prompt)
    count = max(len(positive), len(negative))
    positive += [[]] * (count - len(positive))
    negative += [[]] * (count - len(negative))
    return (_encode_chunks(tokenizer, text_encoder, positive),
            _encode_chunks(tokenizer, text_encoder, negative))
