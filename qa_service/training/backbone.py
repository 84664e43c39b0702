"""Turn the e5 checkpoint into a Hugging Face BERT classifier with a pruned vocabulary.

The XLM-R vocabulary has 250k pieces for 100 languages; the model only needs the Chinese and
English ones. Keeping a subset of pieces (with their unigram scores) keeps the tokenisation of
Chinese and English text unchanged while cutting the embedding matrix to a fraction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from qa_service.training.e5_import import E5Checkpoint

SPECIAL_PIECES = ("<s>", "<pad>", "</s>", "<unk>")
LAYER_PARTS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
}
LAYER_NORMS = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}


def build_tokenizer(pieces: Sequence[str], scores: Sequence[float]) -> Any:
    """A fast unigram tokenizer like XLM-R's (NFKC stands in for its precompiled charsmap)."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import PreTrainedTokenizerFast

    unk_id = list(pieces).index("<unk>")
    tok = Tokenizer(Unigram([(p, float(s)) for p, s in zip(pieces, scores, strict=True)], unk_id))
    tok.normalizer = normalizers.Sequence(
        [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " "), normalizers.Strip()]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = list(pieces).index("<s>"), list(pieces).index("</s>")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        cls_token="<s>",
        sep_token="</s>",
        model_max_length=512,
    )


def bert_state_dict(ckpt: E5Checkpoint, keep_ids: np.ndarray, layers: int) -> dict[str, Any]:
    import torch

    t = ckpt.tensors
    h = ckpt.hidden
    state = {
        "bert.embeddings.word_embeddings.weight": t["emb.word"][keep_ids],
        "bert.embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, h),
        "bert.embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, h),
        "bert.embeddings.LayerNorm.weight": t["emb.ln.w"],
        "bert.embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for layer in range(layers):
        prefix = f"bert.encoder.layer.{layer}."
        for short, name in LAYER_PARTS.items():
            state[prefix + name + ".weight"] = t[f"l{layer}.{short}.w"]
            state[prefix + name + ".bias"] = t[f"l{layer}.{short}.b"]
        for short, name in LAYER_NORMS.items():
            state[prefix + name + ".weight"] = t[f"l{layer}.{short}.w"]
            state[prefix + name + ".bias"] = t[f"l{layer}.{short}.b"]
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}


def build_classifier(
    ckpt: E5Checkpoint,
    keep_ids: np.ndarray,
    *,
    layers: int,
    labels: Sequence[str],
    pad_id: int,
) -> Any:
    """BertForSequenceClassification carrying the first ``layers`` e5 layers."""
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig(
        vocab_size=len(keep_ids),
        hidden_size=ckpt.hidden,
        num_hidden_layers=layers,
        num_attention_heads=ckpt.heads,
        intermediate_size=ckpt.intermediate,
        max_position_embeddings=ckpt.max_positions,
        type_vocab_size=ckpt.type_vocab,
        layer_norm_eps=ckpt.layer_norm_eps,
        pad_token_id=pad_id,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    model = BertForSequenceClassification(config)
    missing, unexpected = model.load_state_dict(
        bert_state_dict(ckpt, keep_ids, layers), strict=False
    )
    if unexpected or any(not k.startswith(("bert.pooler", "classifier")) for k in missing):
        raise RuntimeError(f"e5 weights do not fit BERT: {missing} {unexpected}")
    return model
