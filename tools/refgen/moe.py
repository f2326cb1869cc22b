#!/usr/bin/env python3
"""Tiny random-weight Qwen3-MoE checkpoints plus transformers' reference outputs.

  python3 tools/refgen/moe.py --out /tmp/fx/moe        # on the GPU machine (CPU is used)

Reuses tools/refgen/models.py (tokenizer, init grid, reference cases, feature checks, bf16
derivation), so every folder has the same files and reference.json format as testdata/models/.

Variants (hidden 64, 4 query / 2 kv heads of 16, 8 experts, 2 active, moe_intermediate_size 48 so
that no expert matrix is square and a transposed layout cannot pass unnoticed):

  qwen3moe          norm_topk_prob true, untied lm_head, every layer sparse; weights rewritten in the
                    per-expert layout released hub checkpoints use
                    (model.layers.L.mlp.experts.E.{gate,up,down}_proj.weight)
  qwen3moe_nonorm   norm_topk_prob false (raw softmax weights of the chosen experts), tied embeddings;
                    weights exactly as transformers' save_pretrained writes them
  qwen3moe_dense    mlp_only_layers [0]: layer 0 is a dense SwiGLU MLP of intermediate_size 128
  qwen3moe_step2    decoder_sparse_step 2: only layers with (l+1) % 2 == 0 are sparse (layer 1 of 3)
  qwen3moe_bf16     qwen3moe's weights stored as bfloat16, references computed in bfloat16

log.json records, per variant, the tensor layout save_pretrained wrote (per_expert or fused, with
shapes), the check that the per-expert rewrite reloads to the same logits, and the smallest gap
between the k-th and (k+1)-th router probability over every token and sparse layer of the prompts
(a tiny gap would make the expert choice fragile across implementations).
"""
import argparse
import json
import os
import sys
import traceback

# tools/refgen/tokenizers.py would shadow the tokenizers package: import the package first, then
# make this folder importable (for models.py) behind it.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]
import tokenizers  # noqa: E402,F401

import torch
import transformers

sys.path.append(HERE)
import models as M  # noqa: E402


def base_moe(tok, **over):
    d = {
        "architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe", "attention_bias": False,
        "attention_dropout": 0.0, "bos_token_id": tok.token_to_id("<|endoftext|>"),
        "eos_token_id": tok.token_to_id("<|im_end|>"), "head_dim": 16, "hidden_act": "silu",
        "hidden_size": 64, "initializer_range": 0.02, "intermediate_size": 128,
        "max_position_embeddings": 512, "max_window_layers": 3, "num_attention_heads": 4,
        "num_hidden_layers": 3, "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_scaling": None,
        "rope_theta": 1000000.0, "sliding_window": None, "tie_word_embeddings": False, "use_cache": True,
        "use_sliding_window": False,
        "decoder_sparse_step": 1, "moe_intermediate_size": 48, "mlp_only_layers": [],
        "norm_topk_prob": True, "num_experts": 8, "num_experts_per_tok": 2,
        "output_router_logits": False, "router_aux_loss_coef": 0.001,
    }
    d.update(over)
    return d


def variants(toks):
    q3 = toks["qwen3"][0]
    V = [
        dict(name="qwen3moe", tok="qwen3", style="hub", pad_vocab=64, rewrite="per_expert",
             covers="Qwen3MoeForCausalLM: 8 experts, top-2, norm_topk_prob true, every layer sparse, untied, "
                    "q/k norm, GQA 4q/2kv, per-expert hub weight layout",
             config=base_moe(q3),
             checks=[("norm_topk_prob false", {"norm_topk_prob": False}, True),
                     ("num_experts_per_tok 3", {"num_experts_per_tok": 3}, True)]),
        dict(name="qwen3moe_nonorm", tok="qwen3", style="hub", pad_vocab=64,
             covers="norm_topk_prob false, tied embeddings, weights as transformers' save_pretrained writes them",
             config=base_moe(q3, norm_topk_prob=False, tie_word_embeddings=True),
             checks=[("norm_topk_prob true", {"norm_topk_prob": True}, True)]),
        dict(name="qwen3moe_dense", tok="qwen3", style="hub", pad_vocab=64,
             covers="mlp_only_layers [0]: layer 0 dense SwiGLU (intermediate_size 128), layers 1-2 sparse",
             config=base_moe(q3, mlp_only_layers=[0]),
             checks=[]),
        dict(name="qwen3moe_step2", tok="qwen3", style="hub", pad_vocab=64,
             covers="decoder_sparse_step 2: layer 1 sparse, layers 0 and 2 dense",
             config=base_moe(q3, decoder_sparse_step=2),
             checks=[]),
    ]
    return V


def safetensors_keys(folder):
    from safetensors import safe_open
    out = {}
    for fn in sorted(os.listdir(folder)):
        if fn.endswith(".safetensors"):
            with safe_open(os.path.join(folder, fn), "pt") as f:
                for k in f.keys():
                    out[k] = list(f.get_slice(k).get_shape())
    return out


def layout_of(keys):
    if any(".mlp.experts.0.gate_proj.weight" in k for k in keys):
        return "per_expert"
    if any(k.endswith(".mlp.experts.gate_up_proj") or ".mlp.experts.gate_up_proj" in k for k in keys):
        return "fused"
    return "other"


def rewrite_per_expert(folder, cfg):
    """Fused [E, 2I, H] gate_up / [E, H, I] down (either orientation, told apart by shape) ->
    model.layers.L.mlp.experts.E.{gate,up,down}_proj.weight, the layout of released checkpoints."""
    from safetensors.torch import load_file, save_file
    path = os.path.join(folder, "model.safetensors")
    sd = load_file(path)
    E, I, H = cfg["num_experts"], cfg["moe_intermediate_size"], cfg["hidden_size"]
    out = {}
    for k, v in sd.items():
        if k.endswith("mlp.experts.gate_up_proj") or k.endswith("mlp.experts.gate_up_proj.weight"):
            pre = k[: k.index("mlp.experts.")] + "mlp.experts."
            if tuple(v.shape) == (E, H, 2 * I):
                v = v.transpose(1, 2)
            assert tuple(v.shape) == (E, 2 * I, H), (k, v.shape)
            for e in range(E):
                out[f"{pre}{e}.gate_proj.weight"] = v[e, :I].contiguous().clone()
                out[f"{pre}{e}.up_proj.weight"] = v[e, I:].contiguous().clone()
        elif k.endswith("mlp.experts.down_proj") or k.endswith("mlp.experts.down_proj.weight"):
            pre = k[: k.index("mlp.experts.")] + "mlp.experts."
            if tuple(v.shape) == (E, I, H):
                v = v.transpose(1, 2)
            assert tuple(v.shape) == (E, H, I), (k, v.shape)
            for e in range(E):
                out[f"{pre}{e}.down_proj.weight"] = v[e].contiguous().clone()
        else:
            out[k] = v.contiguous()
    save_file(out, path, metadata={"format": "pt"})


def router_margin(folder, cases, k):
    """Smallest p_k - p_(k+1) of the router softmax over all prompt tokens and sparse layers."""
    m = M.load_model(folder, torch.float32)
    worst = None
    for _, _, ids in cases:
        with torch.no_grad():
            out = m(input_ids=torch.tensor([ids]), output_router_logits=True, use_cache=False)
        rl = getattr(out, "router_logits", None)
        if not rl:
            return {"error": "no router_logits in the output"}
        for layer_logits in rl:
            p = torch.softmax(layer_logits.float(), dim=-1)
            s, _ = torch.sort(p, dim=-1, descending=True)
            gap = float((s[:, k - 1] - s[:, k]).min())
            worst = gap if worst is None else min(worst, gap)
    return {"min_gap_kth_vs_next": worst, "sparse_layers_seen": len(rl)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True, warn_only=True)
    os.makedirs(args.out, exist_ok=True)
    log = {"transformers": transformers.__version__, "torch": torch.__version__,
           "tokenizers": __import__("tokenizers").__version__}
    toks = M.make_tokenizers()
    failed = []
    built = {}
    for v in variants(toks):
        print("==", v["name"], flush=True)
        try:
            folder, hub, cases = M.build_variant(v, toks, args.out, log)
            built[v["name"]] = (v, folder, hub, cases)
            vlog = log[v["name"]]
            keys = safetensors_keys(folder)
            vlog["saved_layout"] = layout_of(keys)
            vlog["saved_expert_tensors"] = {k: s for k, s in keys.items() if "layers.1.mlp" in k and
                                            ("experts.0." in k or "experts.gate" in k or "experts.down" in k
                                             or k.endswith("mlp.gate.weight"))}
            if v.get("rewrite") == "per_expert" and vlog["saved_layout"] != "per_expert":
                rewrite_per_expert(folder, hub)
                keys = safetensors_keys(folder)
                re = M.load_model(folder, torch.float32)
                with open(os.path.join(folder, "reference.json"), encoding="utf-8") as f:
                    ref = json.load(f)
                diff = max(float((M.full_forward(re, c["input_ids"]) - torch.tensor(c["logits"])).abs().max())
                           for c in ref["cases"])
                vlog["rewritten_layout"] = layout_of(keys)
                vlog["rewritten_reload_max_abs_logit_diff"] = diff
            vlog["final_layout"] = layout_of(keys)
            try:
                vlog["router"] = router_margin(folder, cases, hub["num_experts_per_tok"])
            except Exception as e:  # noqa: BLE001
                vlog["router"] = {"error": f"{type(e).__name__}: {e}"[:400]}
        except Exception:  # noqa: BLE001
            failed.append(v["name"])
            log[v["name"]] = dict(log.get(v["name"], {}), error=traceback.format_exc()[-3000:])
            print(traceback.format_exc(), flush=True)
    if "qwen3moe" in built:
        v, folder, hub, cases = built["qwen3moe"]
        print("== qwen3moe_bf16", flush=True)
        try:
            M.build_lowp("qwen3moe_bf16", folder, hub, v, torch.bfloat16, "bfloat16", toks, cases, args.out, log)
            log["qwen3moe_bf16"]["saved_layout"] = layout_of(safetensors_keys(os.path.join(args.out, "qwen3moe_bf16")))
        except Exception:  # noqa: BLE001
            failed.append("qwen3moe_bf16")
            log["qwen3moe_bf16"] = {"error": traceback.format_exc()[-3000:]}
            print(traceback.format_exc(), flush=True)
    log["failed"] = failed
    M.write_json(os.path.join(args.out, "log.json"), log)
    print("failed:", failed, flush=True)


if __name__ == "__main__":
    main()
