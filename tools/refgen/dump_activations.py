#!/usr/bin/env python3
"""Dump transformers' intermediate activations of a decoder fixture under llama.cpp-style names.

  python3 tools/refgen/dump_activations.py testdata/models/llama3 --ids 128000,54,33 --out acts.safetensors
  python3 tools/refgen/dump_activations.py testdata/models/qwen3 --prompt "The cat sat" --out acts.safetensors

One forward over the prompt (eager attention, CPU) with forward hooks; every tensor is written as
float32 with shape [tokens, dim] (batch dimension dropped), so the Go debug dump (DESIGN.md
invariant 6) can be compared name by name to find the first layer that diverges:

  tok_embd             embed_tokens output
  blk.N.attn_norm      input_layernorm output
  blk.N.attn_q/k/v     q/k/v_proj output: after the projection (and bias), before q/k norm and rope
  blk.N.attn_q_norm    Qwen3 only: after q_norm (per-head RMSNorm), before rope, [tokens, heads*head_dim]
  blk.N.attn_k_norm    Qwen3 only: after k_norm
  blk.N.attn_out       o_proj output
  blk.N.ffn_inp        residual after attention (input of post_attention_layernorm)
  blk.N.ffn_norm       post_attention_layernorm output
  blk.N.ffn_out        down_proj output
  blk.N.l_out          decoder layer output (residual after the MLP)
  result_norm          final norm output
  result_output        logits

The safetensors metadata holds the input ids ("input_ids", JSON) and the fixture folder name.
"""
import argparse
import json
import os

import torch
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM


def _first(x):
    return x[0] if isinstance(x, (tuple, list)) else x


def _flat(t):
    """[1, T, ...] -> [T, prod(...)] float32, contiguous."""
    t = t.detach()
    if t.dim() >= 2 and t.shape[0] == 1:
        t = t[0]
    return t.reshape(t.shape[0], -1).float().contiguous().clone()


def _load(folder, dtype):
    kw = dict(attn_implementation="eager")
    if dtype == "auto":
        with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
            cfg = json.load(f)
        dtype = cfg.get("torch_dtype") or cfg.get("dtype") or "float32"
    dt = getattr(torch, dtype)
    try:
        m = AutoModelForCausalLM.from_pretrained(folder, dtype=dt, **kw)
    except TypeError:
        m = AutoModelForCausalLM.from_pretrained(folder, torch_dtype=dt, **kw)
    return m.eval()


def dump(folder, ids, out_path, dtype="auto", model=None):
    """Runs one forward over ids and writes the named activations; returns the names written."""
    model = model if model is not None else _load(folder, dtype)
    acts = {}
    hooks = []

    def save(name):
        def hook(_mod, _inp, out):
            acts[name] = _flat(_first(out))
        return hook

    def save_input(name):
        def hook(_mod, inp):
            acts[name] = _flat(_first(inp))
        return hook

    inner = model.model
    hooks.append(inner.embed_tokens.register_forward_hook(save("tok_embd")))
    for n, layer in enumerate(inner.layers):
        a = layer.self_attn
        p = f"blk.{n}."
        hooks.append(layer.input_layernorm.register_forward_hook(save(p + "attn_norm")))
        hooks.append(a.q_proj.register_forward_hook(save(p + "attn_q")))
        hooks.append(a.k_proj.register_forward_hook(save(p + "attn_k")))
        hooks.append(a.v_proj.register_forward_hook(save(p + "attn_v")))
        if hasattr(a, "q_norm"):
            hooks.append(a.q_norm.register_forward_hook(save(p + "attn_q_norm")))
            hooks.append(a.k_norm.register_forward_hook(save(p + "attn_k_norm")))
        hooks.append(a.o_proj.register_forward_hook(save(p + "attn_out")))
        hooks.append(layer.post_attention_layernorm.register_forward_pre_hook(save_input(p + "ffn_inp")))
        hooks.append(layer.post_attention_layernorm.register_forward_hook(save(p + "ffn_norm")))
        hooks.append(layer.mlp.down_proj.register_forward_hook(save(p + "ffn_out")))
        hooks.append(layer.register_forward_hook(save(p + "l_out")))
    hooks.append(inner.norm.register_forward_hook(save("result_norm")))
    hooks.append(model.lm_head.register_forward_hook(save("result_output")))
    try:
        with torch.no_grad():
            model(input_ids=torch.tensor([list(ids)]), use_cache=False)
    finally:
        for h in hooks:
            h.remove()
    meta = {"input_ids": json.dumps(list(ids)), "fixture": os.path.basename(os.path.normpath(folder))}
    save_file(acts, out_path, metadata=meta)
    return sorted(acts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", help="fixture folder (config.json, model.safetensors, tokenizer.json)")
    ap.add_argument("--ids", help="comma-separated token ids")
    ap.add_argument("--prompt", help="text, encoded with the folder's tokenizer.json (special tokens added)")
    ap.add_argument("--out", required=True, help="output .safetensors path")
    ap.add_argument("--dtype", default="auto", help="auto (from config.json), float32, bfloat16 or float16")
    args = ap.parse_args()
    if (args.ids is None) == (args.prompt is None):
        ap.error("give exactly one of --ids and --prompt")
    if args.ids is not None:
        ids = [int(x) for x in args.ids.split(",") if x.strip()]
    else:
        from tokenizers import Tokenizer
        ids = Tokenizer.from_file(os.path.join(args.folder, "tokenizer.json")).encode(args.prompt).ids
    torch.set_num_threads(1)
    names = dump(args.folder, ids, args.out, args.dtype)
    print(f"wrote {len(names)} tensors for {len(ids)} tokens to {args.out}")


if __name__ == "__main__":
    main()
