#!/usr/bin/env python3
"""Trains ferrum's demo model: a small Qwen3ForCausalLM with its own byte-level BPE tokenizer and a
ChatML template, on the public-domain corpus that corpus.sh builds. Then writes transformers'
reference outputs on the float32 weights it saved (a first check; the committed
testdata/demo/reference.json is made by reference.py on the quantized GGUF's weights, see
docs/demo-model.md).

  python3 tools/train/train.py --corpus .demo-corpus/corpus.jsonl --out /tmp/demo --logs $OUT

On one H100 the whole run (tokenizer, training, save, references, samples) takes about 3 minutes;
see docs/demo-model.md for the numbers of the committed model. Seeds are fixed; GPU kernels are
not bitwise deterministic, so a rerun gives a model of the same quality, not the same bytes.

Writes to --out, in the layout of testdata/models/* (see tools/refgen/README.md):
config.json, model.safetensors (float32), generation_config.json, tokenizer.json,
tokenizer_config.json, chat_template.jinja, reference.json. And to --logs: loss.csv (step, tokens,
lr, train loss, validation loss), train_log.json (settings, versions, timings, chosen step),
samples.txt (greedy and sampled continuations).
"""
import argparse
import copy
import hashlib
import json
import math
import os
import random
import sys
import time

import torch
import transformers
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import AutoConfig, AutoModelForCausalLM, GenerationConfig

from reference import PROMPTS, references  # tools/train/reference.py, beside this file

try:
    from transformers import PreTrainedTokenizerFast as HFTokenizer
except ImportError:  # transformers 5 renamed the class
    from transformers import TokenizersBackend as HFTokenizer

T0 = time.time()

# Qwen2's split regex (Qwen3 uses the same): contractions, letters with one leading non-letter,
# single digits, punctuation runs, newlines, other whitespace.
QWEN2_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|"
    r"\s*[\r\n]+|\s+(?!\S)|\s+"
)
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CHATML_TEMPLATE = (
    "{%- for message in messages %}\n"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}\n"
    "{%- endfor %}\n"
    "{%- if add_generation_prompt %}\n"
    "{{- '<|im_start|>assistant\\n' }}\n"
    "{%- endif %}\n"
)
SYSTEMS = ["You are a helpful assistant.", "You are a storyteller.", "You are Ferrum's demo model."]
REQUESTS = ["Tell me a story.", "Write a paragraph.", "Continue the story.", "Say something.", "Hello!"]


def log(*a):
    print(f"[{time.time() - T0:6.1f}s]", *a, flush=True)


def load_docs(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def is_val(doc, i):
    """About 2% of the chapters, chosen by a hash so the split does not depend on file order."""
    h = hashlib.sha1((doc["source"] + "\0" + doc["paragraphs"][0]).encode()).digest()
    return h[0] < 5


def train_tokenizer(texts, vocab_size):
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size - len(SPECIALS), min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=[])
    tok.train_from_iterator(texts, trainer)
    # Special tokens after the learned vocabulary, like Qwen's.
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in SPECIALS])
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    return tok


def chatml(messages):
    return "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)


def cap_paragraph(p, limit=1200):
    """Long paragraphs end at the last sentence end before limit characters."""
    if len(p) <= limit:
        return p
    cut = max(p.rfind(". ", 0, limit), p.rfind('." ', 0, limit), p.rfind("? ", 0, limit), p.rfind("! ", 0, limit))
    return p[:cut + 1] if cut > 200 else p[:limit]


def chat_samples(docs, rng, fraction):
    """Chat-formatted copies of paragraphs, so that the model also answers inside the ChatML
    template: the user gives the first words of a paragraph (or a short request) and the assistant
    writes the whole paragraph. Some have a system message, some a second turn."""
    out = []
    for d in docs:
        ps = [cap_paragraph(p) for p in d["paragraphs"] if len(p) >= 80]
        for i, p in enumerate(ps):
            if rng.random() >= fraction:
                continue
            msgs = []
            if rng.random() < 0.3:
                msgs.append({"role": "system", "content": rng.choice(SYSTEMS)})
            words = p.split(" ")
            if rng.random() < 0.8:
                user = " ".join(words[:rng.randint(1, min(12, max(1, len(words) - 1)))])
            else:
                user = rng.choice(REQUESTS)
            msgs += [{"role": "user", "content": user}, {"role": "assistant", "content": p}]
            if rng.random() < 0.15 and i + 1 < len(ps):
                msgs += [{"role": "user", "content": rng.choice(["Go on.", "And then?", "Continue."])},
                         {"role": "assistant", "content": ps[i + 1]}]
            out.append(chatml(msgs))
    return out


def token_stream(tok, texts, eot):
    ids = []
    for enc in tok.encode_batch(texts, add_special_tokens=False):
        ids.extend(enc.ids)
        ids.append(eot)
    return torch.tensor(ids, dtype=torch.int32)


def hub_config(a, tok):
    eot, im_end = tok.token_to_id("<|endoftext|>"), tok.token_to_id("<|im_end|>")
    return {
        "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "attention_bias": False,
        "attention_dropout": 0.0, "bos_token_id": eot, "eos_token_id": im_end, "head_dim": a.head_dim,
        "hidden_act": "silu", "hidden_size": a.hidden, "initializer_range": 0.02,
        "intermediate_size": a.intermediate, "max_position_embeddings": a.seq_len,
        "max_window_layers": a.layers, "num_attention_heads": a.heads, "num_hidden_layers": a.layers,
        "num_key_value_heads": a.kv_heads, "rms_norm_eps": 1e-06, "rope_scaling": None,
        "rope_theta": 10000.0, "sliding_window": None, "tie_word_embeddings": True,
        "torch_dtype": "float32", "use_cache": True, "use_sliding_window": False,
        "vocab_size": a.vocab,
    }


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=2)
        f.write("\n")


def lr_at(step, total, warmup, peak, floor):
    if step < warmup:
        return peak * (step + 1) / warmup
    p = min(1.0, (step - warmup) / max(1, total - warmup))
    return floor + (peak - floor) * 0.5 * (1 + math.cos(math.pi * p))


def next_token_loss(model, xb):
    """Mean cross-entropy of predicting xb[:, 1:] from xb[:, :-1] (all positions count)."""
    logits = model(input_ids=xb[:, :-1]).logits.float()
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), xb[:, 1:].reshape(-1))


def train(a, model, train_ids, val_ids, dev, logs):
    g = torch.Generator().manual_seed(a.seed)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.95), eps=1e-8, fused=(dev == "cuda"))
    L = a.seq_len
    train_gpu = train_ids.to(dev).long()
    n_val = min(a.val_windows, (len(val_ids) - 1) // L)
    val_x = val_ids[: n_val * L + 1].long()
    val_batch = torch.stack([val_x[i * L:(i + 1) * L + 1] for i in range(n_val)]).to(dev)
    tokens_per_step = a.batch * L
    max_by_epochs = int(a.max_epochs * len(train_ids) / tokens_per_step)
    total = min(a.steps, max_by_epochs) if a.steps else max_by_epochs
    rows, best = [], (float("inf"), -1, None)
    t_start, running, timed_total = time.time(), [], False

    def val_loss():
        model.eval()
        with torch.no_grad(), torch.autocast(dev, dtype=torch.bfloat16):
            losses = []
            for i in range(0, n_val, 16):
                xb = val_batch[i:i + 16]
                losses.append(float(next_token_loss(model, xb)) * len(xb))
        model.train()
        return sum(losses) / n_val

    model.train()
    step = 0
    while step < total:
        starts = torch.randint(0, len(train_gpu) - L - 1, (a.batch,), generator=g).to(dev)
        xb = train_gpu[starts[:, None] + torch.arange(L + 1, device=dev)[None, :]]
        lr = lr_at(step, total, a.warmup, a.lr, a.lr * a.lr_floor)
        for grp in opt.param_groups:
            grp["lr"] = lr
        with torch.autocast(dev, dtype=torch.bfloat16):
            loss = next_token_loss(model, xb)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        running.append(loss.detach())
        step += 1
        if step == 30 and not a.steps:
            # Fit the schedule into the time budget once the speed is known.
            torch.cuda.synchronize() if dev == "cuda" else None
            per_step = (time.time() - t_start) / 30
            fit = int(a.train_seconds / per_step)
            if fit < total:
                total, timed_total = fit, True
            log(f"{per_step * 1000:.1f} ms/step; schedule: {total} steps "
                f"({total * tokens_per_step / len(train_ids):.1f} epochs){' (time-bound)' if timed_total else ''}")
        if step % a.log_every == 0 or step == total:
            tl = float(torch.stack(running).mean())
            running = []
            vl = val_loss() if (step % a.val_every == 0 or step == total) else None
            rows.append((step, step * tokens_per_step, lr, tl, vl))
            if vl is not None:
                log(f"step {step}/{total} lr {lr:.2e} train {tl:.4f} val {vl:.4f}")
                if vl < best[0]:
                    best = (vl, step, {k: v.detach().clone() for k, v in model.state_dict().items()})
    elapsed = time.time() - t_start
    with open(os.path.join(logs, "loss.csv"), "w") as f:
        f.write("step,tokens,lr,train_loss,val_loss\n")
        for s, t, lr, tl, vl in rows:
            f.write(f"{s},{t},{lr:.6g},{tl:.5f},{'' if vl is None else f'{vl:.5f}'}\n")
    model.load_state_dict(best[2])
    return {"steps": total, "time_bound": timed_total, "tokens_per_step": tokens_per_step,
            "train_seconds": elapsed, "best_val_loss": best[0], "best_step": best[1],
            "final_train_loss": rows[-1][3], "final_val_loss": rows[-1][4]}


def samples(model, tok, dev, path, seed):
    model.eval()
    lines = []
    g = torch.Generator(device=dev).manual_seed(seed)
    im_end, eot = tok.token_to_id("<|im_end|>"), tok.token_to_id("<|endoftext|>")

    def gen(ids, n, greedy):
        x = torch.tensor([ids], device=dev)
        out = []
        with torch.no_grad():
            for _ in range(n):
                logits = model(input_ids=x).logits[0, -1].float()
                if greedy:
                    nxt = int(logits.argmax())
                else:
                    v, i = torch.topk(logits / 0.8, 40)
                    nxt = int(i[torch.multinomial(torch.softmax(v, -1), 1, generator=g)])
                out.append(nxt)
                if nxt in (im_end, eot):
                    break
                x = torch.cat([x, torch.tensor([[nxt]], device=dev)], 1)
        return tok.decode(out, skip_special_tokens=False)

    for _, text in PROMPTS:
        ids = tok.encode(text).ids
        lines.append(f"## {text!r}\ngreedy : {text}{gen(ids, 64, True)}")
        for k in range(2):
            lines.append(f"sampled: {text}{gen(ids, 64, False)}")
        lines.append("")
    for user in ["Once upon a time", "Tell me a story.", "The king said"]:
        ids = tok.encode(chatml([{"role": "user", "content": user}]) + "<|im_start|>assistant\n").ids
        lines.append(f"## chat, user {user!r}\ngreedy : {gen(ids, 96, True)}")
        lines.append(f"sampled: {gen(ids, 96, False)}")
        lines.append("")
    text = "\n".join(lines)
    print(text, flush=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True, help="HF folder to write")
    ap.add_argument("--logs", required=True, help="folder for loss.csv, train_log.json, samples.txt")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--vocab", type=int, default=8192)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--intermediate", type=int, default=768)
    ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--head-dim", type=int, default=64)
    ap.add_argument("--seq-len", type=int, default=1024)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--lr-floor", type=float, default=0.02, help="final learning rate, relative to --lr")
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--steps", type=int, default=0, help="fixed step count (0: fit --train-seconds and --max-epochs)")
    ap.add_argument("--max-epochs", type=float, default=8)
    ap.add_argument("--train-seconds", type=float, default=300)
    ap.add_argument("--chat-fraction", type=float, default=0.3)
    ap.add_argument("--log-every", type=int, default=25)
    ap.add_argument("--val-every", type=int, default=50)
    ap.add_argument("--val-windows", type=int, default=64)
    ap.add_argument("--ref-tokens", type=int, default=32)
    a = ap.parse_args()

    os.makedirs(a.out, exist_ok=True)
    os.makedirs(a.logs, exist_ok=True)
    random.seed(a.seed)
    torch.manual_seed(a.seed)
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    info = {"args": vars(a), "torch": torch.__version__, "transformers": transformers.__version__,
            "device": torch.cuda.get_device_name() if dev == "cuda" else "cpu"}

    docs = load_docs(a.corpus)
    train_docs = [d for i, d in enumerate(docs) if not is_val(d, i)]
    val_docs = [d for i, d in enumerate(docs) if is_val(d, i)]
    info["docs"] = {"train": len(train_docs), "val": len(val_docs),
                    "val_sources": sorted({d["source"] for d in val_docs})}
    log(f"{len(train_docs)} train / {len(val_docs)} val documents")

    tok = train_tokenizer((p for d in train_docs for p in d["paragraphs"]), a.vocab)
    assert tok.get_vocab_size() == a.vocab, tok.get_vocab_size()
    eot = tok.token_to_id("<|endoftext|>")
    log(f"tokenizer: {tok.get_vocab_size()} tokens")

    rng = random.Random(a.seed)
    raw_texts = ["\n\n".join(d["paragraphs"]) for d in train_docs]
    chats = chat_samples(train_docs, rng, a.chat_fraction)
    texts = raw_texts + chats
    rng.shuffle(texts)
    train_ids = token_stream(tok, texts, eot)
    val_ids = token_stream(tok, ["\n\n".join(d["paragraphs"]) for d in val_docs], eot)
    raw_tokens = sum(len(e.ids) for e in tok.encode_batch(raw_texts, add_special_tokens=False))
    info["tokens"] = {"train": len(train_ids), "train_raw_text": raw_tokens, "chat_samples": len(chats),
                      "val": len(val_ids),
                      "chars_per_token": sum(len(t) for t in raw_texts) / raw_tokens}
    log(f"tokens: {info['tokens']}")

    cfg_dict = hub_config(a, tok)
    cfg_dir = os.path.join(a.out, "_cfg")
    os.makedirs(cfg_dir, exist_ok=True)
    write_json(os.path.join(cfg_dir, "config.json"), cfg_dict)
    config = AutoConfig.from_pretrained(cfg_dir)
    try:
        model = AutoModelForCausalLM.from_config(config, attn_implementation="sdpa")
    except TypeError:
        config._attn_implementation = "sdpa"
        model = AutoModelForCausalLM.from_config(config)
    model = model.float().to(dev)
    torch.backends.cuda.matmul.allow_tf32 = True
    n_params = sum(p.numel() for p in model.parameters())
    info["parameters"] = n_params
    log(f"model: {n_params / 1e6:.2f}M parameters")

    info["training"] = train(a, model, train_ids, val_ids, dev, a.logs)
    log(f"training: {info['training']}")

    samples(model, tok, dev, os.path.join(a.logs, "samples.txt"), a.seed)

    # Save: float32 weights, the hub-layout config.json, tokenizer files, template, generation config.
    model = model.float().cpu()
    model.save_pretrained(a.out)
    import shutil
    shutil.rmtree(cfg_dir, ignore_errors=True)
    cfg_dict["transformers_version"] = transformers.__version__
    write_json(os.path.join(a.out, "config.json"), cfg_dict)
    GenerationConfig(bos_token_id=eot, eos_token_id=[tok.token_to_id("<|im_end|>"), eot],
                     pad_token_id=eot).save_pretrained(a.out)
    hf = HFTokenizer(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    hf.chat_template = CHATML_TEMPLATE
    hf.save_pretrained(a.out)
    tok.save(os.path.join(a.out, "tokenizer.json"))  # exactly as built
    with open(os.path.join(a.out, "chat_template.jinja"), "w", encoding="utf-8") as f:
        f.write(CHATML_TEMPLATE)
    for extra in ("special_tokens_map.json",):
        p = os.path.join(a.out, extra)
        if os.path.exists(p):
            os.remove(p)
    log("saved " + ", ".join(sorted(os.listdir(a.out))))

    try:
        # References on the float32 weights just trained, for the log and a first check; the
        # committed testdata/demo/reference.json is made by reference.py from the quantized GGUF.
        ref = references(a.out, a.ref_tokens)
        info.update(ref["checks"])
        with open(os.path.join(a.out, "reference.json"), "w", encoding="utf-8") as f:
            json.dump(ref, f, ensure_ascii=False, separators=(",", ":"))
            f.write("\n")
        for c in ref["cases"]:
            log(f"reference {c['name']}: {c['prompt']!r} -> {c['text']!r}")
        log(f"reference chat: {ref['chat']['text']!r}")
    except Exception as e:  # noqa: BLE001 - the model is saved; say what failed
        import traceback
        traceback.print_exc()
        info["references_error"] = f"{type(e).__name__}: {e}"
    info["seconds"] = time.time() - T0
    write_json(os.path.join(a.logs, "train_log.json"), info)
    log("done")


if __name__ == "__main__":
    sys.exit(main())
