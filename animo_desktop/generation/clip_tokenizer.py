"""CLIP's byte-level BPE tokenizer, built offline from merges the project ships.

A single-file checkpoint (AUTOMATIC1111, Civitai) carries the text encoder's weights but
no tokenizer. Stable Diffusion 1.5 was trained with OpenAI CLIP's vocabulary, which is
fully determined by CLIP's BPE merge list: the vocabulary is the 256 byte symbols, the
same with the end-of-word mark, one token per merge, then the two special tokens, in
that order (as CLIP's own SimpleTokenizer builds it). sd15_config/tokenizer/ ships that
merge list (MIT, see the LICENSE beside it).
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from transformers import CLIPTokenizer

CLIP_BPE_FILE = Path(__file__).resolve().parent / "sd15_config" / "tokenizer" / \
    "bpe_simple_vocab_16e6.txt.gz"
START_TOKEN = "<|startoftext|>"
END_TOKEN = "<|endoftext|>"
END_OF_WORD = "</w>"
MAX_PROMPT_TOKENS = 77  # the text encoder's position embeddings
# CLIP uses the first 48,894 merges of the file (49,408 tokens in all).
CLIP_MERGE_COUNT = 49152 - 256 - 2


@lru_cache(maxsize=1)
def byte_symbols() -> tuple[str, ...]:
    """The 256 printable symbols byte-level BPE uses for the bytes 0..255 (GPT-2/CLIP)."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1),
                 *range(ord("®"), ord("ÿ") + 1)]
    symbol_of = {byte: chr(byte) for byte in printable}
    extra = 0
    for byte in range(256):
        if byte not in symbol_of:
            symbol_of[byte] = chr(256 + extra)
            extra += 1
    # The vocabulary order is: the printable bytes first, then the remapped ones.
    order = printable + [byte for byte in range(256) if byte not in printable]
    return tuple(symbol_of[byte] for byte in order)


def build_clip_tokenizer(merges: Sequence[tuple[str, str]]) -> CLIPTokenizer:
    """A CLIP tokenizer whose vocabulary is the byte symbols plus these merges."""
    symbols = byte_symbols()
    tokens = [*symbols, *(symbol + END_OF_WORD for symbol in symbols),
              *("".join(pair) for pair in merges), START_TOKEN, END_TOKEN]
    vocabulary = {token: index for index, token in enumerate(tokens)}
    return CLIPTokenizer(vocab=vocabulary, merges=list(merges),
                         model_max_length=MAX_PROMPT_TOKENS)


@lru_cache(maxsize=1)
def sd15_tokenizer() -> CLIPTokenizer:
    """The tokenizer of Stable Diffusion 1.5 (OpenAI CLIP ViT-L/14), without a network."""
    with gzip.open(CLIP_BPE_FILE, "rt", encoding="utf-8") as stream:
        lines = stream.read().split("\n")
    # The first line is a version header.
    merges = [tuple(line.split()) for line in lines[1:CLIP_MERGE_COUNT + 1]]
    return build_clip_tokenizer(merges)
