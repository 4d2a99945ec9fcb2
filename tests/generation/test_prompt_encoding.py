import numpy as np
import torch

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.generation.clip_tokenizer import sd15_tokenizer
from animo_desktop.generation.prompt_encoding import COMMA_BACKTRACK, encode_prompts, token_chunks
from animo_desktop.generation.prompts import NEGATIVE_PROMPT, build_prompt
from animo_desktop.messages import GenerationRequest

LONG_THEME = ", ".join(["a quiet harbour at dawn with fishing boats and gulls"] * 14)


def test_a_long_prompt_is_cut_into_chunks_after_a_comma_and_loses_no_token():
    tokenizer = sd15_tokenizer()
    prompt = build_prompt(Emotion.SADNESS, LONG_THEME)
    ids = tokenizer(prompt, add_special_tokens=False).input_ids
    chunks = token_chunks(tokenizer, prompt)
    assert len(ids) > 2 * 75 and len(chunks) >= 3
    assert [token for chunk in chunks for token in chunk] == ids
    comma = tokenizer(",", add_special_tokens=False).input_ids[0]
    for chunk in chunks[:-1]:
        assert 75 - COMMA_BACKTRACK < len(chunk) <= 75 and chunk[-1] == comma
    # SD 1.5's own vocabulary: the emotion's palette words come after the theme and are
    # all in the last chunk, where diffusers alone would have dropped them.
    tail = tokenizer.decode(chunks[-1])
    assert Emotion.SADNESS.style.prompt_words[-1].split()[-1] in tail


def test_one_chunk_is_encoded_exactly_as_the_pipeline_does(tiny_backend):
    pipeline = tiny_backend.pipeline
    expected = pipeline.encode_prompt("sea", "cpu", 1, True, "text")
    got = encode_prompts(pipeline.tokenizer, pipeline.text_encoder, "sea", "text")
    assert got[0].shape == expected[0].shape == (1, 77, expected[0].shape[-1])
    assert torch.equal(got[0], expected[0]) and torch.equal(got[1], expected[1])


def test_negative_prompt_is_padded_to_the_prompts_length(tiny_backend):
    pipeline = tiny_backend.pipeline
    positive, negative = encode_prompts(pipeline.tokenizer, pipeline.text_encoder,
                                        LONG_THEME, NEGATIVE_PROMPT)
    assert positive.shape == negative.shape and positive.shape[1] % 77 == 0
    assert positive.shape[1] > 77


def test_words_after_the_77th_token_change_the_artwork(tiny_backend):
    def artwork(theme):
        request = GenerationRequest(1, ALL_EMOTIONS[0], 5, theme)
        return np.asarray(tiny_backend.generate(request, lambda progress: True).image, float)

    assert np.abs(artwork(LONG_THEME + ", red") - artwork(LONG_THEME + ", blue")).mean() > 0.5
