"""A tiny random-weight Whisper, converted to CTranslate2 as the hub's faster-whisper models are.

No model hub is reachable from the test machines, so the larger models (small ... large-v3)
cannot be fetched; this builds a model with their layout (the same converter, the same
files) in a few seconds, to test that a user's CTranslate2 directory loads and runs through
the product's model loading. Its text is noise: the weights are random.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

# Small enough to build and run in seconds; the vocabulary must be Whisper's own (51865
# tokens: text, language, task and timestamp tokens) for the tokenizer to fit.
TINY_DIMS = {
    "d_model": 64,
    "encoder_layers": 2,
    "decoder_layers": 2,
    "encoder_attention_heads": 2,
    "decoder_attention_heads": 2,
    "encoder_ffn_dim": 128,
    "decoder_ffn_dim": 128,
}


def _language_ids(tokenizer_json: Path) -> dict[str, int]:
    """Whisper's language tokens (<|zh|>, <|en|>, ...) and their ids, from tokenizer.json."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    added = json.loads(tokenizer_json.read_text())["added_tokens"]
    by_content = {token["content"]: token["id"] for token in added}
    return {f"<|{c}|>": by_content[f"<|{c}|>"] for c in _LANGUAGE_CODES if f"<|{c}|>" in by_content}


def build_tiny_whisper(tokenizer_json: Path, out: Path, seed: int = 0) -> Path:
    """Write a random tiny Whisper as a CTranslate2 directory at ``out``; return it."""
    import torch
    from ctranslate2.converters import TransformersConverter
    from transformers import (
        GenerationConfig,
        WhisperConfig,
        WhisperForConditionalGeneration,
        WhisperTokenizerFast,
    )

    torch.manual_seed(seed)
    hf_dir = out.with_name(out.name + "-hf")
    config = WhisperConfig(vocab_size=51865, num_mel_bins=80, **TINY_DIMS)
    model = WhisperForConditionalGeneration(config)
    # Whisper's special token ids; the converter reads the language ids from here (with
    # them the model is multilingual). A generation config derived from the model config
    # would be rebuilt on loading, losing them.
    model.generation_config = GenerationConfig(
        decoder_start_token_id=50258,
        eos_token_id=50257,
        pad_token_id=50257,
        begin_suppress_tokens=[220, 50257],
        suppress_tokens=[],
        no_timestamps_token_id=50363,
        lang_to_id=_language_ids(tokenizer_json),
        task_to_id={"transcribe": 50359, "translate": 50358},
        is_multilingual=True,
    )
    model.save_pretrained(hf_dir)
    WhisperTokenizerFast(tokenizer_file=str(tokenizer_json)).save_pretrained(hf_dir)
    TransformersConverter(str(hf_dir), copy_files=["tokenizer.json"]).convert(
        str(out), quantization="int8", force=True
    )
    shutil.rmtree(hf_dir)
    return out
