#!/usr/bin/env python3
"""Writes testdata/demo/reference.json: transformers' outputs for the demo model, computed on the
weights of the embedded GGUF (demo/ferrum-demo-q8_0.gguf) dequantized to float32. The float32
folder that training made is not kept in git; the dequantized weights are the model that both
ferrum's safetensors test and its GGUF test run, so the references describe exactly them.

  python3 tools/train/reference.py --out $OUT/reference.json      # on the GPU machine (CPU math)
  python3 tools/train/reference.py --folder-only --work /tmp/x    # here: just write the HF folder

The script reads the GGUF itself (standard library only, F32/F16/Q8_0), writes an HF folder
(model.safetensors laid out byte for byte as ferrum's demo.WriteSafetensors writes it, plus the
config, tokenizer and template files of testdata/demo), and records the folder's model.safetensors
SHA-256 in reference.json; demo's tests check that ferrum materialises the same bytes. Then
transformers loads the folder in float32 on the CPU with eager attention, one thread and
deterministic algorithms, and for each prompt records: the prompt's token ids, the top-5 [id, logit]
and the log-sum-exp of the logits at every prompt position, and 32 greedy tokens (no stop at
end-of-sequence) with the top-5 and log-sum-exp of every step. The log-sum-exp pins the whole
distribution of a row in one number, so full-vocabulary rows need not be stored.
"""
import argparse
import hashlib
import json
import os
import shutil
import struct
import sys
from array import array

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

PROMPTS = [
    ("once", "Once upon a time"),
    ("oldman", "The old man looked at the sea and said"),
    ("letter", "She opened the letter and"),
    ("ship", "In the morning the ship"),
    ("sister", "My dear sister,"),
]
CHAT_MESSAGES = [{"role": "user", "content": "Once upon a time"}]

# GGUF -> HF tensor names (the subset of model/names.go that a Qwen3 model uses).
GLOBAL_NAMES = {"token_embd.weight": "model.embed_tokens.weight", "output_norm.weight": "model.norm.weight",
                "output.weight": "lm_head.weight"}
LAYER_NAMES = {
    "attn_norm.weight": "input_layernorm.weight", "attn_q.weight": "self_attn.q_proj.weight",
    "attn_k.weight": "self_attn.k_proj.weight", "attn_v.weight": "self_attn.v_proj.weight",
    "attn_output.weight": "self_attn.o_proj.weight", "attn_q_norm.weight": "self_attn.q_norm.weight",
    "attn_k_norm.weight": "self_attn.k_norm.weight", "ffn_norm.weight": "post_attention_layernorm.weight",
    "ffn_gate.weight": "mlp.gate_proj.weight", "ffn_up.weight": "mlp.up_proj.weight",
    "ffn_down.weight": "mlp.down_proj.weight",
}


def hf_name(name):
    if name in GLOBAL_NAMES:
        return GLOBAL_NAMES[name]
    blk, layer, rest = name.split(".", 2)
    if blk != "blk" or not layer.isdigit() or rest not in LAYER_NAMES:
        raise ValueError(f"tensor {name} has no HF name")
    return f"model.layers.{layer}.{LAYER_NAMES[rest]}"


class Reader:
    def __init__(self, data):
        self.b, self.p = data, 0

    def take(self, fmt):
        v = struct.unpack_from("<" + fmt, self.b, self.p)
        self.p += struct.calcsize("<" + fmt)
        return v[0] if len(v) == 1 else v

    def string(self):
        n = self.take("Q")
        s = self.b[self.p:self.p + n].decode("utf-8")
        self.p += n
        return s

    SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}

    def value(self, t):
        if t == 8:
            return self.string()
        if t == 9:
            et, n = self.take("I"), self.take("Q")
            return [self.value(et) for _ in range(n)]
        return self.take(self.SCALARS[t])


def dequantize(typ, raw, n):
    """float32 values of a GGUF tensor: F32, F16 or Q8_0 (d * q, exact in float32)."""
    if typ == 0:
        return array("f", raw)
    if typ == 1:
        return array("f", struct.unpack(f"<{n}e", raw))
    if typ == 8:
        out = array("f")
        for off in range(0, len(raw), 34):
            d = struct.unpack_from("<e", raw, off)[0]
            out.extend(d * q for q in struct.unpack_from("32b", raw, off + 2))
        return out
    raise ValueError(f"GGUF tensor type {typ} is not handled here")


def read_gguf(path):
    """Returns (metadata, [(hf_name, shape, float32 bytes)] sorted by name)."""
    with open(path, "rb") as f:
        data = f.read()
    r = Reader(data)
    if r.take("4s") != b"GGUF":
        raise ValueError(f"{path}: not a GGUF file")
    version, n_tensors, n_kv = r.take("I"), r.take("Q"), r.take("Q")
    meta = {}
    for _ in range(n_kv):
        k = r.string()
        meta[k] = r.value(r.take("I"))
    infos = []
    for _ in range(n_tensors):
        name = r.string()
        dims = [r.take("Q") for _ in range(r.take("I"))]
        infos.append((name, dims, r.take("I"), r.take("Q")))
    align = meta.get("general.alignment", 32)
    base = (r.p + align - 1) // align * align
    if meta.get("general.architecture") == "llama":
        raise ValueError(f"{path}: arch llama permutes q/k rows; not handled here")
    tensors = []
    for i, (name, dims, typ, off) in enumerate(infos):
        n = 1
        for d in dims:
            n *= d
        end = base + (infos[i + 1][3] if i + 1 < len(infos) else len(data) - base)
        vals = dequantize(typ, data[base + off:end], n)
        if len(vals) < n:
            raise ValueError(f"{path}: tensor {name}: {len(vals)} values, want {n}")
        del vals[n:]  # alignment padding after the tensor
        if sys.byteorder != "little":
            vals.byteswap()
        tensors.append((hf_name(name), list(reversed(dims)), vals.tobytes()))
    tensors.sort(key=lambda t: t[0].encode("utf-8"))
    return meta, tensors


def safetensors_bytes(tensors):
    """The file format/safetensors' writer makes of these tensors with metadata format=pt."""
    parts, off = ['"__metadata__":{"format":"pt"}'], 0
    for name, shape, raw in tensors:
        parts.append(json.dumps(name) + ':{"dtype":"F32","shape":[' + ",".join(map(str, shape)) +
                     f'],"data_offsets":[{off},{off + len(raw)}]' + "}")
        off += len(raw)
    header = ("{" + ",".join(parts) + "}").encode("utf-8")
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + b"".join(raw for _, _, raw in tensors)


def write_folder(gguf, config_dir, work):
    """The HF folder of the dequantized GGUF; returns model.safetensors' SHA-256."""
    _, tensors = read_gguf(gguf)
    os.makedirs(work, exist_ok=True)
    for name in sorted(os.listdir(config_dir)):
        src = os.path.join(config_dir, name)
        if os.path.isfile(src) and not name.endswith(".safetensors") and name != "reference.json":
            shutil.copyfile(src, os.path.join(work, name))
    blob = safetensors_bytes(tensors)
    with open(os.path.join(work, "model.safetensors"), "wb") as f:
        f.write(blob)
    return hashlib.sha256(blob).hexdigest()


def r7(x):
    return float(f"{x:.7g}")


def top5(row):
    vals = row.float().tolist()
    order = sorted(range(len(vals)), key=lambda i: (-vals[i], i))[:5]
    return [[i, r7(vals[i])] for i in order]


def lse(row):
    import torch
    return r7(float(torch.logsumexp(row.double(), dim=-1)))


def run_case(model, ids, n_new):
    """Prompt forward (every position), then greedy steps through the KV cache with explicit
    positions, like tools/refgen/models.py. Returns the prompt rows' top-5 and log-sum-exp, the
    greedy ids, and each step's top-5 and log-sum-exp."""
    import torch
    with torch.no_grad():
        out = model(input_ids=torch.tensor([ids]), use_cache=True)
    rows = out.logits[0].float()
    prompt = {"prompt_top5": [top5(r) for r in rows], "prompt_lse": [lse(r) for r in rows]}
    past, last = out.past_key_values, out.logits[0, -1]
    greedy, pos = {"ids": [], "top5": [], "lse": []}, len(ids)
    for step in range(n_new):
        t5 = top5(last)
        greedy["top5"].append(t5)
        greedy["lse"].append(lse(last))
        greedy["ids"].append(t5[0][0])
        if step == n_new - 1:
            break
        kw = dict(input_ids=torch.tensor([[t5[0][0]]]), past_key_values=past, use_cache=True,
                  position_ids=torch.tensor([[pos]]))
        with torch.no_grad():
            try:
                out = model(cache_position=torch.tensor([pos]), **kw)
            except TypeError:  # a transformers without cache_position
                out = model(**kw)
        past, last = out.past_key_values, out.logits[0, -1]
        pos += 1
    return prompt, greedy


def references(folder, n_new=32):
    """transformers' reference.json content for the HF folder (float32, CPU, eager attention)."""
    import torch
    import transformers
    from tokenizers import Tokenizer
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    tok = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager").eval()
    checks = {"greedy_min_margin": {}}
    cases = []
    for name, text in PROMPTS:
        ids = tok.encode(text, add_special_tokens=False).ids
        prompt, greedy = run_case(model, ids, n_new)
        cases.append({"name": name, "prompt": text, "input_ids": ids, **prompt, "greedy": greedy,
                      "text": tok.decode(greedy["ids"], skip_special_tokens=False)})
    hf = AutoTokenizer.from_pretrained(folder)
    rendered = hf.apply_chat_template(CHAT_MESSAGES, tokenize=False, add_generation_prompt=True)
    chat_ids = tok.encode(rendered, add_special_tokens=False).ids
    prompt, greedy = run_case(model, chat_ids, n_new)
    chat = {"messages": CHAT_MESSAGES, "add_generation_prompt": True, "rendered": rendered, "input_ids": chat_ids,
            **prompt, "greedy": greedy, "text": tok.decode(greedy["ids"], skip_special_tokens=False)}
    for c in cases + [dict(chat, name="chat")]:
        checks["greedy_min_margin"][c["name"]] = r7(min(t[0][1] - t[1][1] for t in c["greedy"]["top5"]))
    checks["autotokenizer_disagrees"] = [n for n, t in PROMPTS
                                         if list(hf(t, add_special_tokens=False)["input_ids"]) != tok.encode(t).ids]
    # The cached greedy path must agree with one uncached forward over prompt + continuation.
    c = cases[0]
    with torch.no_grad():
        full = model(input_ids=torch.tensor([c["input_ids"] + c["greedy"]["ids"][:-1]])).logits[0]
    checks["cache_vs_full_forward_same_argmax"] = [int(r.argmax()) for r in full[len(c["input_ids"]) - 1:]] == c["greedy"]["ids"]
    return {"model_type": "qwen3", "torch_dtype": "float32", "attn_implementation": "eager",
            "transformers_version": transformers.__version__, "torch_version": torch.__version__,
            "cases": cases, "chat": chat, "checks": checks}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gguf", default=os.path.join(ROOT, "demo", "ferrum-demo-q8_0.gguf"))
    ap.add_argument("--config", default=os.path.join(ROOT, "testdata", "demo"),
                    help="folder with config.json, tokenizer and template files")
    ap.add_argument("--work", default="/tmp/ferrum-demo-hf", help="where the HF folder is written")
    ap.add_argument("--out", help="reference.json to write")
    ap.add_argument("--tokens", type=int, default=32, help="greedy tokens per prompt")
    ap.add_argument("--folder-only", action="store_true", help="write the HF folder and stop")
    a = ap.parse_args()
    with open(a.gguf, "rb") as f:
        gguf_sha = hashlib.sha256(f.read()).hexdigest()
    weights_sha = write_folder(a.gguf, a.config, a.work)
    print(f"{a.work}/model.safetensors sha256 {weights_sha} (from {a.gguf}, sha256 {gguf_sha})", flush=True)
    if a.folder_only:
        return
    ref = {"weights": os.path.basename(a.gguf) + " dequantized to float32",
           "gguf_sha256": gguf_sha, "weights_sha256": weights_sha, **references(a.work, a.tokens)}
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(ref, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    for c in ref["cases"] + [dict(ref["chat"], name="chat")]:
        print(f"{c['name']}: {c.get('prompt', c['input_ids'])!r} -> {c['text']!r}", flush=True)
    print(json.dumps(ref["checks"]), flush=True)


if __name__ == "__main__":
    main()
