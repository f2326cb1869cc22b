#!/usr/bin/env python3
"""Tiny random-weight dense decoder checkpoints plus transformers' reference outputs.

For every variant in VARIANTS this writes a Hugging Face folder (config.json, model.safetensors,
generation_config.json, tokenizer.json, tokenizer_config.json, chat_template.jinja) and a
reference.json with transformers' logits at every prompt position, greedy continuations with the
top-5 of every step, and a rendered chat prompt. The Go model code (model/llama) is tested against
these files; CI needs no Python because the outputs are committed under testdata/models/.

  python3 tools/refgen/models.py --out /tmp/models        # on the GPU machine (CPU is used)

Everything runs on the CPU, single-threaded, eager attention, deterministic algorithms, so a rerun
with the same transformers/torch/tokenizers versions writes the same numbers. The shapes are real
configs shrunk (hidden 64, 2-3 layers); weights are drawn with a large std so that greedy argmaxes
are decisive (the std and seed are picked per variant from a small grid, see pick_init).

Writes <out>/<variant>/... and <out>/log.json (init choice, tokenizer and cache cross-checks, and the
"feature checks": each config feature is switched off and the logits must change - or must not,
where the feature is expected to be ignored, e.g. qwen2 sliding_window with use_sliding_window=false).
"""
import argparse
import contextlib
import copy
import json
import math
import os
import shutil
import sys
import tempfile
import traceback

import torch
import transformers
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dump_activations  # noqa: E402

try:
    from transformers import PreTrainedTokenizerFast as HFTokenizer
except ImportError:  # transformers 5 renamed the class; the alias may go away
    from transformers import TokenizersBackend as HFTokenizer

N_NEW = 16  # greedy tokens per case

# ---------------------------------------------------------------------------------------------
# Tokenizers, trained on the spot on a small English text so that they have real merges.

CORPUS = """\
Once upon a time, a little robot lived in a quiet town by the sea. Every morning it walked to the
harbour, counted the boats, and said hello to the old fisherman who mended his nets on the pier.
The fisherman told the robot stories about storms, stars and ships that sailed to far away lands.
The robot listened carefully, because it wanted to learn everything about the world.
One day a strong wind came from the north. The sky turned dark and the waves grew tall.
The boats rocked in the water and the people of the town were afraid. The little robot ran to the
lighthouse at the end of the pier, climbed the long stairs, and turned on the great lamp.
Its light swept across the water, and one by one the boats found their way home.
The next morning the sun was bright and the sea was calm again. The people thanked the robot,
and the old fisherman gave it a small blue shell. The robot kept the shell on a shelf in its room,
and every evening it looked at the shell and remembered the night of the storm.
What is the capital of France? The capital of France is Paris. What is the capital of Spain?
The capital of Spain is Madrid. The cat sat on the mat, and the dog slept by the door.
You are a helpful assistant. Please answer the question in one short sentence.
Numbers like 1, 2, 3, 10, 42 and 2024 appear in the text too, as do words such as "quiet" and "bright".
In the year 2024 the town built a new school, and the children learned to read, write and count.
"""

LLAMA3_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|"
    r"\s*[\r\n]+|\s+(?!\S)|\s+"
)
QWEN2_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|"
    r"\s*[\r\n]+|\s+(?!\S)|\s+"
)


def corpus_lines():
    return [l for l in CORPUS.splitlines() if l.strip()]


def bytelevel_tokenizer(split_regex, nfc, specials, bos, extra_added=()):
    """GPT-2 style byte-level BPE (Llama 3, Qwen2/3): regex split, bytes mapped to printable chars,
    special tokens appended after the learned vocabulary like the real ones."""
    tok = Tokenizer(models.BPE())
    if nfc:
        tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(split_regex), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=384, min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=[])
    tok.train_from_iterator(corpus_lines(), trainer)
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    if extra_added:
        tok.add_tokens([AddedToken(s, special=False, normalized=False) for s in extra_added])
    if bos:
        bid = tok.token_to_id(bos)
        tok.post_processor = processors.Sequence([
            processors.ByteLevel(trim_offsets=False),
            processors.TemplateProcessing(single=f"{bos} $A", pair=f"{bos} $A {bos} $B",
                                          special_tokens=[(bos, bid)]),
        ])
    else:
        tok.post_processor = processors.ByteLevel(trim_offsets=False)
    return tok


def sentencepiece_bpe_tokenizer():
    """Llama 2 / TinyLlama / Mistral v0.1 style: SentencePiece BPE exported to tokenizer.json -
    "▁" for spaces (normalizer Prepend+Replace, no pre-tokenizer), <unk> <s> </s> at 0..2, the 256
    <0xXX> byte tokens at 3..258 and byte_fallback for anything not in the vocabulary."""
    train = Tokenizer(models.BPE(unk_token="<unk>"))
    train.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    try:
        train.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="never", split=True)
    except TypeError:
        train.pre_tokenizer = pre_tokenizers.Split("▁", behavior="merged_with_next")
    trainer = trainers.BpeTrainer(vocab_size=150, min_frequency=2, show_progress=False,
                                  special_tokens=["<unk>", "<s>", "</s>"])
    train.train_from_iterator(corpus_lines(), trainer)
    learned = json.loads(train.to_str())["model"]
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for b in range(256):
        vocab[f"<0x{b:02X}>"] = len(vocab)
    for piece, _ in sorted(learned["vocab"].items(), key=lambda kv: kv[1]):
        if piece not in vocab:
            vocab[piece] = len(vocab)
    merges = [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m) for m in learned["merges"]]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(" ", 1, 0)])
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in ["<unk>", "<s>", "</s>"]])
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B",
                                                       special_tokens=[("<s>", 1)])
    return tok


LLAMA3_TEMPLATE = (
    "{{- bos_token }}\n"
    "{%- for message in messages %}\n"
    "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}\n"
    "{%- endfor %}\n"
    "{%- if add_generation_prompt %}\n"
    "{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}\n"
    "{%- endif %}\n"
)
CHATML_TEMPLATE = (
    "{%- for message in messages %}\n"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}\n"
    "{%- endfor %}\n"
    "{%- if add_generation_prompt %}\n"
    "{{- '<|im_start|>assistant\\n' }}\n"
    "{%- endif %}\n"
)
LLAMA2_TEMPLATE = (
    "{{- bos_token }}\n"
    "{%- if messages[0]['role'] == 'system' %}{%- set system = messages[0]['content'] %}"
    "{%- set loop_messages = messages[1:] %}{%- else %}{%- set system = '' %}"
    "{%- set loop_messages = messages %}{%- endif %}\n"
    "{%- for message in loop_messages %}\n"
    "{%- if message['role'] == 'user' %}\n"
    "{%- if loop.first and system %}{{- '[INST] <<SYS>>\\n' + system + '\\n<</SYS>>\\n\\n' + message['content'] | trim + ' [/INST]' }}"
    "{%- else %}{{- '[INST] ' + message['content'] | trim + ' [/INST]' }}{%- endif %}\n"
    "{%- elif message['role'] == 'assistant' %}{{- ' ' + message['content'] | trim + eos_token }}\n"
    "{%- endif %}\n"
    "{%- endfor %}\n"
)
MISTRAL_TEMPLATE = (
    "{{- bos_token }}\n"
    "{%- if messages[0]['role'] == 'system' %}{%- set system = messages[0]['content'] + '\\n\\n' %}"
    "{%- set loop_messages = messages[1:] %}{%- else %}{%- set system = '' %}"
    "{%- set loop_messages = messages %}{%- endif %}\n"
    "{%- for message in loop_messages %}\n"
    "{%- if message['role'] == 'user' %}"
    "{%- if loop.first %}{{- '[INST] ' + system + message['content'] + ' [/INST]' }}"
    "{%- else %}{{- '[INST] ' + message['content'] + ' [/INST]' }}{%- endif %}\n"
    "{%- elif message['role'] == 'assistant' %}{{- message['content'] + eos_token }}\n"
    "{%- endif %}\n"
    "{%- endfor %}\n"
)

CHAT_MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is the capital of France?"},
    {"role": "assistant", "content": "The capital of France is Paris."},
    {"role": "user", "content": "And of Spain?"},
]


def make_tokenizers():
    """name -> (tokenizers.Tokenizer, special-token kwargs for the HF wrapper, chat template)."""
    l3 = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
    qw = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    sp = sentencepiece_bpe_tokenizer()
    return {
        "llama3": (bytelevel_tokenizer(LLAMA3_SPLIT, False, l3, "<|begin_of_text|>"),
                   dict(bos_token="<|begin_of_text|>", eos_token="<|eot_id|>"), LLAMA3_TEMPLATE),
        "llama2": (sp, dict(bos_token="<s>", eos_token="</s>", unk_token="<unk>"), LLAMA2_TEMPLATE),
        "mistral": (sp, dict(bos_token="<s>", eos_token="</s>", unk_token="<unk>"), MISTRAL_TEMPLATE),
        "qwen2": (bytelevel_tokenizer(QWEN2_SPLIT, True, qw, None),
                  dict(eos_token="<|im_end|>", pad_token="<|endoftext|>"), CHATML_TEMPLATE),
        "qwen3": (bytelevel_tokenizer(QWEN2_SPLIT, True, qw, None, extra_added=("<think>", "</think>")),
                  dict(eos_token="<|im_end|>", pad_token="<|endoftext|>"), CHATML_TEMPLATE),
    }


# ---------------------------------------------------------------------------------------------
# Variants: real configs (hub layout: rope_theta + rope_scaling) shrunk to hidden 64.

DELETE = object()  # marks a key to remove in a feature check


def base_llama(tok, **over):
    d = {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "attention_bias": False,
        "attention_dropout": 0.0, "hidden_act": "silu", "hidden_size": 64, "head_dim": 16,
        "initializer_range": 0.02, "intermediate_size": 128, "max_position_embeddings": 512,
        "mlp_bias": False, "num_attention_heads": 4, "num_hidden_layers": 2, "num_key_value_heads": 2,
        "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": None, "rope_theta": 10000.0,
        "tie_word_embeddings": False, "use_cache": True,
        "bos_token_id": tok.token_to_id("<|begin_of_text|>"), "eos_token_id": tok.token_to_id("<|eot_id|>"),
    }
    d.update(over)
    return d


def base_qwen2(tok, **over):
    d = {
        "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "attention_dropout": 0.0,
        "hidden_act": "silu", "hidden_size": 64, "initializer_range": 0.02, "intermediate_size": 128,
        "max_position_embeddings": 512, "max_window_layers": 2, "num_attention_heads": 4,
        "num_hidden_layers": 2, "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_scaling": None,
        "rope_theta": 1000000.0, "sliding_window": 8, "tie_word_embeddings": False, "use_cache": True,
        "use_sliding_window": False,
        "bos_token_id": tok.token_to_id("<|endoftext|>"), "eos_token_id": tok.token_to_id("<|im_end|>"),
    }
    d.update(over)
    return d


def variants(toks):
    l3 = toks["llama3"][0]
    sp = toks["llama2"][0]
    q2 = toks["qwen2"][0]
    q3 = toks["qwen3"][0]
    rope_off = {"rope_scaling": DELETE, "rope_parameters": "default"}
    V = []
    V.append(dict(
        name="llama3", tok="llama3", style="hub",
        covers="Llama-3.2-1B shape: GQA 4q/2kv, explicit head_dim, rope_theta 500000, rope_scaling llama3 "
               "(all three frequency bands hit: original_max_position_embeddings 64), tied embeddings, "
               "eos_token_id list, byte-level BPE with BOS",
        config=base_llama(l3, intermediate_size=192, rope_theta=500000.0, tie_word_embeddings=True,
                          eos_token_id=[l3.token_to_id("<|end_of_text|>"), l3.token_to_id("<|eot_id|>")],
                          rope_scaling={"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                                        "original_max_position_embeddings": 64, "rope_type": "llama3"}),
        checks=[("rope_scaling llama3 off", rope_off, True)],
    ))
    V.append(dict(
        name="llama2", tok="llama2", style="hub",
        covers="Llama-2 / TinyLlama style: MHA 4q/4kv, no rope_theta key (default 10000), no head_dim key, "
               "untied lm_head, SentencePiece-style BPE with byte_fallback and ▁, BOS <s>",
        config=base_llama(sp, num_key_value_heads=4, bos_token_id=1, eos_token_id=2,
                          head_dim=DELETE, rope_theta=DELETE, attention_bias=DELETE, mlp_bias=DELETE,
                          attention_dropout=DELETE),
        checks=[],
    ))
    V.append(dict(
        name="mistral", tok="mistral", style="hub",
        covers="MistralForCausalLM: GQA 4q/2kv, sliding_window 8 on every layer (prompts up to ~50 tokens), "
               "rope_theta 1e6, untied, SentencePiece-style BPE",
        config={"architectures": ["MistralForCausalLM"], "model_type": "mistral", "attention_dropout": 0.0,
                "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 64,
                "initializer_range": 0.02, "intermediate_size": 128, "max_position_embeddings": 512,
                "num_attention_heads": 4, "num_hidden_layers": 2, "num_key_value_heads": 2,
                "rms_norm_eps": 1e-05, "rope_theta": 1000000.0, "sliding_window": 8,
                "tie_word_embeddings": False, "use_cache": True},
        checks=[("sliding_window off", {"sliding_window": None}, True)],
    ))
    V.append(dict(
        name="qwen2", tok="qwen2", style="hub", pad_vocab=64,
        covers="Qwen2ForCausalLM: q/k/v bias (no o bias), GQA 4q/2kv, untied, rope_theta 1e6, eps 1e-6, "
               "sliding_window 8 present but use_sliding_window false (must be ignored), vocab_size padded "
               "past the tokenizer (multiple of 64), byte-level BPE without BOS, ChatML",
        config=base_qwen2(q2),
        checks=[("sliding_window removed (expected: no effect)", {"sliding_window": None}, False),
                ("use_sliding_window true (shows the window would matter)", {"use_sliding_window": True,
                                                                            "max_window_layers": 0}, True)],
    ))
    V.append(dict(
        name="qwen2_swa", tok="qwen2", style="v5", pad_vocab=64,
        covers="Qwen2 with use_sliding_window true, sliding_window 8, max_window_layers 1 of 3 layers "
               "(layer 0 full attention, layers 1-2 sliding), config.json as transformers 5 writes it "
               "(rope_parameters, layer_types)",
        config=base_qwen2(q2, num_hidden_layers=3, use_sliding_window=True, max_window_layers=1),
        checks=[("use_sliding_window false", {"use_sliding_window": False, "layer_types": DELETE}, True),
                ("max_window_layers 3 (all full)", {"max_window_layers": 3, "layer_types": DELETE}, True)],
    ))
    V.append(dict(
        name="qwen3", tok="qwen3", style="hub", pad_vocab=64,
        covers="Qwen3ForCausalLM: q_norm/k_norm RMSNorm per head, head_dim 24 != hidden/heads (q_proj 64->96), "
               "GQA 4q/2kv, tied, no biases, rope_theta 1e6, added non-special tokens <think> </think>, ChatML",
        config={"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "attention_bias": False,
                "attention_dropout": 0.0, "bos_token_id": q3.token_to_id("<|endoftext|>"),
                "eos_token_id": q3.token_to_id("<|im_end|>"), "head_dim": 24, "hidden_act": "silu",
                "hidden_size": 64, "initializer_range": 0.02, "intermediate_size": 128,
                "max_position_embeddings": 512, "max_window_layers": 2, "num_attention_heads": 4,
                "num_hidden_layers": 2, "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_scaling": None,
                "rope_theta": 1000000.0, "sliding_window": None, "tie_word_embeddings": True,
                "use_cache": True, "use_sliding_window": False},
        checks=[],
    ))
    V.append(dict(
        name="llama_rope_linear", tok="llama3", style="v5",
        covers="Llama with rope_scaling {type: linear, factor 4} (legacy 'type' key in the source dict); "
               "config.json as transformers 5 writes it (rope_parameters)",
        config=base_llama(l3, rope_scaling={"type": "linear", "factor": 4.0}),
        checks=[("rope_scaling linear off", rope_off, True)],
    ))
    V.append(dict(
        name="llama_rope_dynamic", tok="llama3", style="hub",
        covers="Llama with rope_scaling {type: dynamic, factor 2}, max_position_embeddings 16: the medium and "
               "long prompts exceed it, so the NTK base is recomputed from the forward's max position + 1 "
               "(transformers semantics; see README)",
        config=base_llama(l3, max_position_embeddings=16, rope_scaling={"type": "dynamic", "factor": 2.0}),
        checks=[("rope_scaling dynamic off", rope_off, True)],
        fresh_model_per_case=True,
    ))
    V.append(dict(
        name="qwen2_rope_yarn", tok="qwen2", style="hub", pad_vocab=64,
        covers="Qwen2.5-style YaRN: rope_scaling {type: yarn, factor 4, original_max_position_embeddings 16}, "
               "max_position_embeddings 64 = factor x original, attention factor 0.1 ln(4)+1 on cos/sin",
        config=base_qwen2(q2, max_position_embeddings=64,
                          rope_scaling={"factor": 4.0, "original_max_position_embeddings": 16, "type": "yarn"}),
        checks=[("rope_scaling yarn off", rope_off, True)],
    ))
    V.append(dict(
        name="llama_partial_rotary", tok="llama3", style="hub",
        covers="Llama with partial_rotary_factor 0.5 (head_dim 16, rotary dims 8: the first 8 dims of each head "
               "rotate with rotate_half inside them, the last 8 pass through)",
        config=base_llama(l3, partial_rotary_factor=0.5),
        checks=[("partial_rotary_factor 1.0", {"partial_rotary_factor": 1.0}, True)],
        partial=True,
    ))
    V.append(dict(
        name="llama_bias", tok="llama3", style="hub",
        covers="Llama with attention_bias true (q/k/v/o biases) and mlp_bias true (gate/up/down biases)",
        config=base_llama(l3, attention_bias=True, mlp_bias=True),
        checks=[],
    ))
    V.append(dict(
        name="llama_mqa", tok="llama3", style="hub",
        covers="Llama with MQA: 4 query heads, 1 kv head",
        config=base_llama(l3, num_key_value_heads=1),
        checks=[],
    ))
    return V


# Derived low-precision fixtures: (folder suffix, candidate base variants, torch dtype, config dtype).
# The first base whose low-precision greedy steps have no exact top-1/top-2 tie is kept, as
# <base>_<suffix>: bf16 logits near 10 are only 1/16 apart, so ties happen and make greedy fragile.
LOWP = [("bf16", ["llama3", "llama_mqa", "llama2", "llama_bias"], torch.bfloat16, "bfloat16"),
        ("f16", ["qwen2", "qwen3", "mistral"], torch.float16, "float16")]

PROMPTS = [
    ("short", "The cat sat on the"),
    ("medium", "Once upon a time, a little robot lived by the sea."),
    ("long", "The old fisherman, who drank strong coffee at the café near the harbour, told the children "
             "many stories about ships, storms and stars while the waves rolled slowly onto the sand, "
             "and the little robot listened"),
]
ONE_TOKEN_CANDIDATES = ["The", " the", "Once", "a", "."]


# ---------------------------------------------------------------------------------------------
# Helpers


def r7(x):
    """~7 significant digits: float32 logits survive to ~5e-8 relative, and the JSON stays small."""
    return float(f"{x:.7g}")


def clean_config(d):
    return {k: v for k, v in d.items() if v is not DELETE}


def write_json(path, obj, compact=False):
    with open(path, "w", encoding="utf-8") as f:
        if compact:
            json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
        else:
            json.dump(obj, f, ensure_ascii=False, indent=2)
        f.write("\n")


def load_model(folder, dtype, partial=False):
    kw = dict(attn_implementation="eager")
    try:
        m = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype, **kw)
    except TypeError:
        m = AutoModelForCausalLM.from_pretrained(folder, torch_dtype=dtype, **kw)
    m.eval()
    if partial and PARTIAL_STATE["mode"] == "patched":
        fix_partial_inv_freq(m)
    return m


def model_from_config(config):
    try:
        m = AutoModelForCausalLM.from_config(config, attn_implementation="eager")
    except TypeError:
        config._attn_implementation = "eager"
        m = AutoModelForCausalLM.from_config(config)
    return m.float().eval()


def init_weights(model, seed, std, n_tok):
    """Large-std normal weights (decisive argmaxes); norm weights uniform in [0.6, 1.4] so a wrongly
    bound norm shows; embedding/lm_head rows past the tokenizer tiny so padded ids rarely win."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(0.6 + 0.8 * torch.rand(p.shape, generator=g))
            else:
                p.copy_(std * torch.randn(p.shape, generator=g))
            if ("embed_tokens" in name or "lm_head" in name) and p.shape[0] > n_tok:
                p[n_tok:] = 1e-3 * torch.randn(p[n_tok:].shape, generator=g)


def top5_sorted(logits_row):
    """Top-5 by (-logit, id): exact ties resolve to the lower id, like argmax's first occurrence."""
    vals = logits_row.float()
    k = min(8, vals.shape[0])
    v, i = torch.topk(vals, k)
    pairs = sorted(zip(i.tolist(), v.tolist()), key=lambda p: (-p[1], p[0]))
    return pairs[:5]


def run_case(model, ids):
    """One forward over the prompt (logits at every position), then N_NEW greedy steps through the
    KV cache with explicit positions. Returns (prompt logits [T,V] float32, new ids, top5 per step,
    step logits [N_NEW,V])."""
    x = torch.tensor([ids])
    with torch.no_grad():
        out = model(input_ids=x, use_cache=True)
    prompt_logits = out.logits[0].float()
    past = out.past_key_values
    last = out.logits[0, -1]
    new, tops, steps = [], [], []
    pos = len(ids)
    for step in range(N_NEW):
        t5 = top5_sorted(last)
        tops.append(t5)
        steps.append(last.float())
        nxt = t5[0][0]
        new.append(nxt)
        if step == N_NEW - 1:
            break
        kw = dict(input_ids=torch.tensor([[nxt]]), past_key_values=past, use_cache=True,
                  position_ids=torch.tensor([[pos]]))
        with torch.no_grad():
            try:
                out = model(cache_position=torch.tensor([pos]), **kw)
            except TypeError:  # a transformers without cache_position
                out = model(**kw)
        past = out.past_key_values
        last = out.logits[0, -1]
        pos += 1
    return prompt_logits, new, tops, torch.stack(steps)


def full_forward(model, ids):
    with torch.no_grad():
        return model(input_ids=torch.tensor([ids]), use_cache=False).logits[0].float()


# ---------------------------------------------------------------------------------------------
# partial_rotary_factor: does transformers' Llama honour it? Probed at start-up; if it does not,
# the Llama reference is computed with apply_rotary_pos_emb patched to the Phi-3 / GPT-NeoX partial
# rotation, and cross-checked against transformers' own Phi3ForCausalLM on the same weights.

PARTIAL_STATE = {"mode": "native", "probe": {}}


def partial_apply_rotary(q, k, cos, sin, position_ids=None, unsqueeze_dim=1):
    cos = cos.unsqueeze(unsqueeze_dim)
    sin = sin.unsqueeze(unsqueeze_dim)
    rd = cos.shape[-1]

    def rot(x):
        x1, x2 = x[..., : rd // 2], x[..., rd // 2: rd]
        return torch.cat((-x2, x1), dim=-1)

    q_r, q_p = q[..., :rd], q[..., rd:]
    k_r, k_p = k[..., :rd], k[..., rd:]
    return (torch.cat([q_r * cos + rot(q_r) * sin, q_p], dim=-1),
            torch.cat([k_r * cos + rot(k_r) * sin, k_p], dim=-1))


def partial_factor_of(config):
    f = getattr(config, "partial_rotary_factor", None)
    if f is None:
        rp = getattr(config, "rope_parameters", None) or {}
        f = rp.get("partial_rotary_factor", 1.0) if isinstance(rp, dict) else 1.0
    return float(f)


def fix_partial_inv_freq(model):
    """Rotary frequencies over the first head_dim*factor dims only, and the partial rotation wherever a
    module keeps its own reference to the rotary function (newer transformers do)."""
    import transformers.models.llama.modeling_llama as ml
    for mod in model.modules():
        for attr in ("rotary_fn", "apply_rotary_pos_emb"):
            if getattr(mod, attr, None) is not None and getattr(mod, attr) is not partial_apply_rotary:
                f = getattr(mod, attr)
                if getattr(f, "__name__", "") == "apply_rotary_pos_emb" or f is ml.apply_rotary_pos_emb:
                    setattr(mod, attr, partial_apply_rotary)
    cfg = model.config
    hd = getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
    rp = getattr(cfg, "rope_parameters", None) or {}
    theta = float(rp.get("rope_theta", getattr(cfg, "rope_theta", 10000.0)) if isinstance(rp, dict) else cfg.rope_theta)
    dim = int(hd * partial_factor_of(cfg))
    inv = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    re = model.model.rotary_emb
    re.inv_freq = inv
    if hasattr(re, "original_inv_freq"):
        re.original_inv_freq = inv.clone()


@contextlib.contextmanager
def partial_patch(active):
    import transformers.models.llama.modeling_llama as ml
    orig = ml.apply_rotary_pos_emb
    if active and PARTIAL_STATE["mode"] == "patched":
        ml.apply_rotary_pos_emb = partial_apply_rotary
    try:
        yield
    finally:
        ml.apply_rotary_pos_emb = orig


def probe_partial(tok):
    """Llama with partial_rotary_factor 0.5 vs 1.0 on the same weights: error, ignored or honoured."""
    res = {}
    ids = tok.encode(PROMPTS[1][1]).ids
    for mt, extra in [("llama", {}), ("qwen2", {}), ("mistral", {}), ("qwen3", {"head_dim": 16})]:
        try:
            d = dict(model_type=mt, vocab_size=tok.get_vocab_size(), hidden_size=64, intermediate_size=128,
                     num_hidden_layers=1, num_attention_heads=4, num_key_value_heads=2,
                     max_position_embeddings=512, rope_theta=10000.0, **extra)
            outs = {}
            sd = None
            for f in (0.5, 1.0):
                cfg = AutoConfig.for_model(**dict(d, partial_rotary_factor=f))
                m = model_from_config(cfg)
                if sd is None:
                    init_weights(m, 7, 0.2, 10 ** 9)
                    sd = copy.deepcopy(m.state_dict())
                else:
                    m.load_state_dict(sd)
                try:
                    outs[f] = full_forward(m, ids)
                except Exception as e:  # noqa: BLE001
                    outs[f] = f"error: {type(e).__name__}: {e}"[:300]
            if isinstance(outs[0.5], str):
                res[mt] = outs[0.5]
            else:
                diff = float((outs[0.5] - outs[1.0]).abs().max())
                res[mt] = "honoured" if diff > 1e-4 else "ignored"
                res[mt + "_maxdiff_vs_full"] = diff
        except Exception as e:  # noqa: BLE001
            res[mt] = f"probe failed: {type(e).__name__}: {e}"[:300]
    PARTIAL_STATE["probe"] = res
    PARTIAL_STATE["mode"] = "native" if res.get("llama") == "honoured" else "patched"
    res["llama_mode"] = PARTIAL_STATE["mode"]
    return res


def phi3_crosscheck(folder, ids, ref_logits):
    """Same weights as Phi3ForCausalLM (fused qkv and gate_up): transformers' own partial rotary."""
    from transformers import Phi3Config, Phi3ForCausalLM
    llama = load_model(folder, torch.float32, partial=True)
    c = llama.config
    hd = c.head_dim
    pc = Phi3Config(vocab_size=c.vocab_size, hidden_size=c.hidden_size, intermediate_size=c.intermediate_size,
                    num_hidden_layers=c.num_hidden_layers, num_attention_heads=c.num_attention_heads,
                    num_key_value_heads=c.num_key_value_heads, max_position_embeddings=c.max_position_embeddings,
                    original_max_position_embeddings=c.max_position_embeddings, rms_norm_eps=c.rms_norm_eps,
                    rope_theta=10000.0, partial_rotary_factor=partial_factor_of(c), pad_token_id=None,
                    tie_word_embeddings=c.tie_word_embeddings, bos_token_id=None, eos_token_id=None)
    pc._attn_implementation = "eager"
    try:
        phi = Phi3ForCausalLM._from_config(pc, attn_implementation="eager")
    except TypeError:
        phi = Phi3ForCausalLM(pc)
    phi = phi.float().eval()
    s = llama.state_dict()
    new = {}
    for k, v in s.items():
        if ".self_attn.q_proj." in k:
            p = k.replace("q_proj", "qkv_proj")
            new[p] = torch.cat([v, s[k.replace("q_proj", "k_proj")], s[k.replace("q_proj", "v_proj")]], 0)
        elif ".self_attn.k_proj." in k or ".self_attn.v_proj." in k or ".mlp.up_proj." in k:
            continue
        elif ".mlp.gate_proj." in k:
            new[k.replace("gate_proj", "gate_up_proj")] = torch.cat([v, s[k.replace("gate_proj", "up_proj")]], 0)
        else:
            new[k] = v
    missing, unexpected = phi.load_state_dict(new, strict=False)
    out = full_forward(phi, ids)
    return {"phi3_maxdiff": float((out - ref_logits).abs().max()), "missing": list(missing),
            "unexpected": list(unexpected), "head_dim": hd}


# ---------------------------------------------------------------------------------------------
# Per-variant work


def encode_prompts(tok):
    """(name, text, ids) per case: a 1-token prompt (just BOS where the tokenizer adds one), then
    the PROMPTS. Every text encodes to its ids with tokenizer.json (add_special_tokens=True)."""
    cases = []
    e = tok.encode("")
    if len(e.ids) == 1:
        cases.append(("len1", "", e.ids))
    else:
        for w in ONE_TOKEN_CANDIDATES:
            e = tok.encode(w)
            if len(e.ids) == 1:
                cases.append(("len1", w, e.ids))
                break
    for name, text in PROMPTS:
        cases.append((name, text, tok.encode(text).ids))
    return cases


def score(model, cases):
    distinct, margins = [], []
    for _, _, ids in cases:
        _, new, tops, _ = run_case(model, ids)
        distinct.append(len(set(new)))
        margins += [t[0][1] - t[1][1] for t in tops]
    margins.sort()
    return {"avg_distinct": sum(distinct) / len(distinct), "min_margin": margins[0],
            "median_margin": margins[len(margins) // 2]}


def pick_init(config, cases, n_tok, partial):
    """Grid over (std, seed): prefer continuations with >= 8 distinct tokens on average, then the
    largest smallest top-1/top-2 gap over all greedy steps."""
    best = None
    tried = []
    with partial_patch(partial):
        for std in (0.12, 0.18, 0.25, 0.35):
            for seed in (1, 2, 3):
                m = model_from_config(config)
                if partial and PARTIAL_STATE["mode"] == "patched":
                    fix_partial_inv_freq(m)
                init_weights(m, seed, std, n_tok)
                s = score(m, cases)
                s.update(std=std, seed=seed)
                tried.append(s)
                key = (min(s["avg_distinct"], 8.0), s["min_margin"])
                if best is None or key > best[0]:
                    best = (key, s)
    return best[1], tried


def save_tokenizer(folder, tok, special_kw, template):
    hf = HFTokenizer(tokenizer_object=tok, **special_kw)
    hf.chat_template = template
    hf.save_pretrained(folder)
    # tokenizer.json exactly as built (the wrapper may rewrite post-processors); the template as a file.
    tok.save(os.path.join(folder, "tokenizer.json"))
    with open(os.path.join(folder, "chat_template.jinja"), "w", encoding="utf-8") as f:
        f.write(template)


def apply_changes(d, changes):
    d = copy.deepcopy(d)
    for k, v in changes.items():
        if k == "rope_parameters" and v == "default":
            rp = d.get("rope_parameters")
            if isinstance(rp, dict):
                keep = {kk: rp[kk] for kk in ("rope_theta", "partial_rotary_factor") if kk in rp}
                d["rope_parameters"] = dict(keep, rope_type="default")
            continue
        if k == "partial_rotary_factor" and isinstance(d.get("rope_parameters"), dict):
            d["rope_parameters"]["partial_rotary_factor"] = v
        if v is DELETE:
            d.pop(k, None)
        else:
            d[k] = v
    return d


def feature_checks(folder, variant, ids, ref_logits):
    out = []
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    for desc, changes, expect_change in variant["checks"]:
        tmp = tempfile.mkdtemp()
        try:
            for fn in os.listdir(folder):
                if fn.endswith(".safetensors") or fn == "generation_config.json":
                    shutil.copy(os.path.join(folder, fn), tmp)
            write_json(os.path.join(tmp, "config.json"), apply_changes(cfg, changes))
            with partial_patch(variant.get("partial", False)):
                m = load_model(tmp, torch.float32, partial=variant.get("partial", False))
                diff = float((full_forward(m, ids) - ref_logits).abs().max())
            changed = diff > 1e-4
            out.append({"check": desc, "max_abs_diff": diff, "expected_change": expect_change,
                        "ok": changed == expect_change})
        except Exception as e:  # noqa: BLE001
            out.append({"check": desc, "error": f"{type(e).__name__}: {e}"[:400]})
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def references(folder, variant, tok, cases, dtype, dtype_name, log):
    """Reload the saved folder and record transformers' outputs; returns reference dict."""
    partial = variant.get("partial", False)
    fresh = variant.get("fresh_model_per_case", False)
    out_cases = []
    cache_check = []
    with partial_patch(partial):
        model = load_model(folder, dtype, partial)
        for name, text, ids in cases:
            if fresh:  # dynamic NTK keeps state in the rotary module; each case starts clean
                model = load_model(folder, dtype, partial)
            plog, new, tops, steps = run_case(model, ids)
            # The cached greedy path must agree with one uncached forward over prompt+continuation.
            m2 = load_model(folder, dtype, partial) if fresh else model
            full = full_forward(m2, ids + new[:-1])[len(ids) - 1:]
            cache_check.append({"case": name, "max_abs_diff": float((full - steps.float()).abs().max())})
            out_cases.append({
                "name": name, "prompt": text, "input_ids": ids,
                "logits": [[r7(v) for v in row] for row in plog.tolist()],
                "greedy": {"ids": new, "top5": [[[i, r7(v)] for i, v in t] for t in tops]},
                "text": tok.decode(new, skip_special_tokens=False),
            })
    log["cache_vs_full_forward"] = cache_check
    return out_cases


def chat_reference(folder, tok, template, special_kw, log):
    rendered = None
    try:
        hf = AutoTokenizer.from_pretrained(folder)
        rendered = hf.apply_chat_template(CHAT_MESSAGES, tokenize=False, add_generation_prompt=True)
        try:
            via_hf = hf.apply_chat_template(CHAT_MESSAGES, tokenize=True, add_generation_prompt=True)
            if hasattr(via_hf, "keys") and "input_ids" in via_hf:
                via_hf = via_hf["input_ids"]
            log["chat_hf_tokenize"] = list(via_hf)
        except Exception as e:  # noqa: BLE001
            log["chat_hf_tokenize_error"] = str(e)[:300]
        log["chat_renderer"] = "transformers apply_chat_template"
    except Exception as e:  # noqa: BLE001
        import jinja2
        log["chat_renderer"] = f"jinja2 fallback ({type(e).__name__}: {e})"[:300]
        env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
        rendered = env.from_string(template).render(messages=CHAT_MESSAGES, add_generation_prompt=True,
                                                    bos_token=special_kw.get("bos_token", ""),
                                                    eos_token=special_kw.get("eos_token", ""))
    ids = tok.encode(rendered, add_special_tokens=False).ids
    if "chat_hf_tokenize" in log:
        log["chat_hf_tokenize_agrees"] = log.pop("chat_hf_tokenize") == ids
    return {"messages": CHAT_MESSAGES, "add_generation_prompt": True, "rendered": rendered, "input_ids": ids}


def hf_tokenizer_agreement(folder, cases):
    try:
        hf = AutoTokenizer.from_pretrained(folder)
        bad = [n for n, t, ids in cases if list(hf(t)["input_ids"]) != ids]
        return {"autotokenizer_class": type(hf).__name__, "disagree": bad}
    except Exception as e:  # noqa: BLE001
        return {"error": f"{type(e).__name__}: {e}"[:300]}


def window_probe(model_type, window):
    """One layer, window W: which earlier positions can change the logits at position p? Gives the
    exact window semantics (how many keys a query sees) of transformers' mask."""
    d = dict(vocab_size=300, hidden_size=64, intermediate_size=128, num_hidden_layers=1, num_attention_heads=4,
             num_key_value_heads=2, max_position_embeddings=512, sliding_window=window)
    if model_type == "qwen2":
        d.update(use_sliding_window=True, max_window_layers=0)
    m = model_from_config(AutoConfig.for_model(model_type, **d))
    init_weights(m, 3, 0.3, 10 ** 9)
    ids = list(range(10, 30))
    p = len(ids) - 1
    base = full_forward(m, ids)[p]
    seen = []
    for j in range(p + 1):
        alt = list(ids)
        alt[j] = 200
        if float((full_forward(m, alt)[p] - base).abs().max()) > 1e-6:
            seen.append(j)
    return {"window": window, "query_pos": p, "keys_that_matter": seen, "count": len(seen)}


def build_variant(v, toks, out_dir, log):
    tok, special_kw, template = toks[v["tok"]]
    folder = os.path.join(out_dir, v["name"])
    os.makedirs(folder, exist_ok=True)
    save_tokenizer(folder, tok, special_kw, template)
    n_tok = tok.get_vocab_size(with_added_tokens=True)
    hub = clean_config(v["config"])
    pad = v.get("pad_vocab")
    hub["vocab_size"] = ((n_tok + pad - 1) // pad) * pad if pad else n_tok
    hub["torch_dtype"] = "float32"
    hub["transformers_version"] = transformers.__version__
    hub = dict(sorted(hub.items()))
    write_json(os.path.join(folder, "config.json"), hub)
    config = AutoConfig.from_pretrained(folder)
    cases = encode_prompts(tok)
    partial = v.get("partial", False)
    best, tried = pick_init(config, cases, n_tok, partial)
    vlog = {"covers": v["covers"], "tokenizer_size": n_tok, "vocab_size": hub["vocab_size"], "init": best,
            "init_grid": tried, "config_style": v["style"]}
    m = model_from_config(config)
    if partial and PARTIAL_STATE["mode"] == "patched":
        fix_partial_inv_freq(m)
    init_weights(m, best["seed"], best["std"], n_tok)
    m.save_pretrained(folder)
    if v["style"] == "hub":  # keep the hub layout (rope_theta/rope_scaling) that released checkpoints use
        write_json(os.path.join(folder, "config.json"), hub)
    # The reloaded folder must be the in-memory model.
    with partial_patch(partial):
        re = load_model(folder, torch.float32, partial)
        sa, sb = m.state_dict(), re.state_dict()
        sd_diff = max(float((sa[k] - sb[k]).abs().max()) for k in sa)
        vlog["reload_keys_equal"] = sorted(sa) == sorted(sb)
        ids = cases[-1][2]
        mem_diff = float((full_forward(m, ids) - full_forward(re, ids)).abs().max())
    vlog["reload_state_dict_maxdiff"] = sd_diff
    vlog["reload_logits_maxdiff"] = mem_diff
    vlog["hf_tokenizer"] = hf_tokenizer_agreement(folder, cases)
    ref_cases = references(folder, v, tok, cases, torch.float32, "float32", vlog)
    long_logits = torch.tensor(ref_cases[-1]["logits"])
    vlog["feature_checks"] = feature_checks(folder, v, cases[-1][2], long_logits)
    if partial:
        try:
            vlog["phi3_crosscheck"] = phi3_crosscheck(folder, cases[-1][2], long_logits)
        except Exception as e:  # noqa: BLE001
            vlog["phi3_crosscheck"] = {"error": f"{type(e).__name__}: {e}"[:400]}
    ref = {"model_type": hub["model_type"], "torch_dtype": "float32",
           "transformers_version": transformers.__version__, "cases": ref_cases,
           "chat": chat_reference(folder, tok, template, special_kw, vlog)}
    if partial and PARTIAL_STATE["mode"] == "patched":
        ref["note"] = ("transformers %s LlamaForCausalLM does not apply partial_rotary_factor (%s); these "
                       "references use its apply_rotary_pos_emb patched to the Phi-3/GPT-NeoX partial rotation, "
                       "checked against Phi3ForCausalLM on the same weights (log: phi3_crosscheck)"
                       % (transformers.__version__, PARTIAL_STATE["probe"].get("llama")))
    write_json(os.path.join(folder, "reference.json"), ref, compact=True)
    log[v["name"]] = vlog
    return folder, hub, cases


def build_lowp(name, base_folder, base_hub, base_variant, dtype, dtype_name, toks, cases, out_dir, log):
    tok, special_kw, template = toks[base_variant["tok"]]
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    for fn in os.listdir(base_folder):
        if fn.startswith("tokenizer") or fn in ("special_tokens_map.json", "chat_template.jinja"):
            shutil.copy(os.path.join(base_folder, fn), folder)
    m = load_model(base_folder, torch.float32).to(dtype)
    m.save_pretrained(folder)
    if base_variant["style"] == "hub":
        write_json(os.path.join(folder, "config.json"), dict(base_hub, torch_dtype=dtype_name))
    vlog = {"covers": f"{base_variant['name']} weights stored as {dtype_name}; references computed by "
                      f"transformers in {dtype_name} on the CPU"}
    ref_cases = references(folder, base_variant, tok, cases, dtype, dtype_name, vlog)
    margins = sorted(t[0][1] - t[1][1] for c in ref_cases for t in c["greedy"]["top5"])
    vlog["min_margin"], vlog["median_margin"] = margins[0], margins[len(margins) // 2]
    with open(os.path.join(base_folder, "reference.json"), encoding="utf-8") as f:
        base_ref = json.load(f)
    vlog["max_abs_logit_diff_vs_float32"] = max(
        float((torch.tensor(a["logits"]) - torch.tensor(b["logits"])).abs().max())
        for a, b in zip(ref_cases, base_ref["cases"]))
    vlog["greedy_equal_to_float32"] = [a["greedy"]["ids"] == b["greedy"]["ids"]
                                       for a, b in zip(ref_cases, base_ref["cases"])]
    ref = {"model_type": base_hub["model_type"], "torch_dtype": dtype_name,
           "transformers_version": transformers.__version__, "cases": ref_cases,
           "chat": chat_reference(folder, tok, template, special_kw, vlog)}
    write_json(os.path.join(folder, "reference.json"), ref, compact=True)
    log[name] = vlog
    return vlog["min_margin"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="folder to write <variant>/ folders and log.json into")
    ap.add_argument("--only", default="", help="comma-separated variant names (default: all)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True, warn_only=True)
    os.makedirs(args.out, exist_ok=True)
    log = {"transformers": transformers.__version__, "torch": torch.__version__,
           "tokenizers": __import__("tokenizers").__version__}
    toks = make_tokenizers()
    log["partial_rotary_probe"] = probe_partial(toks["llama3"][0])
    for mt in ("mistral", "qwen2"):
        try:
            log[f"window_probe_{mt}"] = window_probe(mt, 4)
        except Exception as e:  # noqa: BLE001
            log[f"window_probe_{mt}"] = f"error: {type(e).__name__}: {e}"[:300]
    only = set(filter(None, args.only.split(",")))
    built = {}
    failed = []
    for v in variants(toks):
        if only and v["name"] not in only:
            continue
        print("==", v["name"], flush=True)
        try:
            built[v["name"]] = (v,) + build_variant(v, toks, args.out, log)
        except Exception:  # noqa: BLE001
            failed.append(v["name"])
            log[v["name"]] = {"error": traceback.format_exc()[-3000:]}
            print(traceback.format_exc(), flush=True)
    lowp_names = []
    for suffix, bases, dtype, dtype_name in LOWP:
        tried = {}
        for base in bases:
            if base not in built:
                continue
            name = f"{base}_{suffix}"
            print("==", name, flush=True)
            v, folder, hub, cases = built[base]
            try:
                tried[name] = build_lowp(name, folder, hub, v, dtype, dtype_name, toks, cases, args.out, log)
            except Exception:  # noqa: BLE001
                failed.append(name)
                log[name] = {"error": traceback.format_exc()[-3000:]}
                print(traceback.format_exc(), flush=True)
                continue
            if tried[name] > 0:
                break
        if tried:
            keep = max(tried, key=lambda n: tried[n] > 0) if any(m > 0 for m in tried.values()) else max(tried, key=tried.get)
            for n in tried:
                if n != keep:
                    shutil.rmtree(os.path.join(args.out, n), ignore_errors=True)
                    log[n]["dropped"] = "an exact top-1/top-2 tie in a greedy step"
            lowp_names.append(keep)
    log["low_precision_kept"] = lowp_names
    for name, act_prompt in (("llama3", "medium"), ("qwen3", "medium")):
        if name not in built:
            continue
        v, folder, hub, cases = built[name]
        ids = [c[2] for c in cases if c[0] == act_prompt][0]
        try:
            path = os.path.join(folder, "activations.safetensors")
            names = dump_activations.dump(folder, ids, path)
            from safetensors.torch import load_file
            with open(os.path.join(folder, "reference.json"), encoding="utf-8") as f:
                ref_logits = [c for c in json.load(f)["cases"] if c["name"] == act_prompt][0]["logits"]
            diff = float((load_file(path)["result_output"] - torch.tensor(ref_logits)).abs().max())
            log[name]["activations"] = {"input_ids": ids, "tensors": names, "result_output_vs_reference": diff}
        except Exception:  # noqa: BLE001
            failed.append(name + ":activations")
            log[name]["activations"] = {"error": traceback.format_exc()[-3000:]}
    log["failed"] = failed
    write_json(os.path.join(args.out, "log.json"), log)
    for name in sorted(built) + lowp_names:
        d = os.path.join(args.out, name)
        if os.path.isdir(d):
            size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
            print(f"{name}: {size / 1024:.0f} KiB", flush=True)
    print("failed:", failed, flush=True)


if __name__ == "__main__":
    main()
