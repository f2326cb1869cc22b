#!/usr/bin/env python3
"""Tiny random-weight embedding models saved with sentence-transformers, plus golden embeddings.

  python3 tools/refgen/embeddings.py --out /tmp/fx/embed     # on the GPU machine (CPU is used)

Bases (hidden 64, 2 layers, 4 heads; tokenizers trained on the spot on models.py's corpus):

  bert        BertModel, WordPiece (lowercasing BertNormalizer), GELU (erf), post-LayerNorm,
              token_type_ids; saved layout: mean pooling + Normalize
  bert_tanh   the same with hidden_act gelu_new (tanh GELU); saved layout: cls pooling, no Normalize
  roberta     RobertaModel, byte-level BPE, RobertaProcessing, pad_token_id 1 (positions from 2);
              saved layout: max pooling + Normalize
  xlmr        XLMRobertaModel, Unigram (Metaspace) tokenizer; saved layout: cls + Normalize
  qwen3       testdata/models/qwen3's weights as a Qwen3 decoder embedder (Qwen3-Embedding style: the
              tokenizer appends <|endoftext|>, last-token pooling); saved layout: lasttoken + Normalize

Every base is saved with SentenceTransformer.save (modules.json, sentence_bert_config.json with
max_seq_length 32, 1_Pooling/config.json, the transformer's config/weights/tokenizer), and its
reference.json holds sentence-transformers' embeddings of TEXTS (one batch, padded) for every
pooling mode (cls, mean, max, lasttoken, weightedmean) with and without normalisation, the token
ids after truncation, and the token embeddings of the first two texts. The long text is longer than
max_seq_length, so truncation is covered.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
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
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers  # noqa: E402,E501

MAX_SEQ = 32
POOLINGS = ["cls", "mean", "max", "lasttoken", "weightedmean"]
TEXTS = [
    "The cat sat on the mat.",
    "Once upon a time, a little robot lived by the sea.",
    "What is the capital of France?",
    "a",
    "The old fisherman, who drank strong coffee at the café near the harbour, told the children many "
    "stories about ships, storms and stars while the waves rolled slowly onto the sand.",
    "Numbers like 1, 2, 3, 10, 42 and 2024 appear too.",
    "The little robot ran to the lighthouse and turned on the great lamp",
]


def wordpiece_tokenizer():
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None,
                                                lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    trainer = trainers.WordPieceTrainer(vocab_size=400, min_frequency=1, show_progress=False, special_tokens=specials)
    tok.train_from_iterator(M.corpus_lines(), trainer)
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))])
    tok.decoder = decoders.WordPiece(prefix="##")
    return tok, dict(unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]", cls_token="[CLS]",
                     mask_token="[MASK]")


def roberta_tokenizer():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    trainer = trainers.BpeTrainer(vocab_size=400, min_frequency=2, show_progress=False, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(M.corpus_lines(), trainer)
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True,
                                                      add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    return tok, dict(bos_token="<s>", eos_token="</s>", sep_token="</s>", cls_token="<s>", unk_token="<unk>",
                     pad_token="<pad>", mask_token="<mask>")


def unigram_tokenizer():
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = trainers.UnigramTrainer(vocab_size=300, show_progress=False, unk_token="<unk>",
                                      special_tokens=["<s>", "<pad>", "</s>", "<unk>"])
    tok.train_from_iterator(M.corpus_lines(), trainer)
    tok.add_special_tokens([AddedToken("<mask>", special=True, normalized=False)])
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", tok.token_to_id("<s>")), ("</s>", tok.token_to_id("</s>"))])
    return tok, dict(bos_token="<s>", eos_token="</s>", sep_token="</s>", cls_token="<s>", unk_token="<unk>",
                     pad_token="<pad>", mask_token="<mask>")


def encoder_config(kind, vocab, act="gelu"):
    common = dict(vocab_size=vocab, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                  intermediate_size=128, hidden_act=act, hidden_dropout_prob=0.0,
                  attention_probs_dropout_prob=0.0, initializer_range=0.02)
    if kind == "bert":
        return transformers.BertConfig(max_position_embeddings=64, type_vocab_size=2, layer_norm_eps=1e-12,
                                       pad_token_id=0, **common)
    cls = transformers.RobertaConfig if kind == "roberta" else transformers.XLMRobertaConfig
    return cls(max_position_embeddings=MAX_SEQ + 2 + 32, type_vocab_size=1, layer_norm_eps=1e-5, pad_token_id=1,
               bos_token_id=0, eos_token_id=2, **common)


def init_encoder(model, seed):
    """Every weight random (LayerNorm scales in [0.6, 1.4], biases small but non-zero) so a wrongly
    bound tensor shows in the output."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm.weight" in name:
                p.copy_(0.6 + 0.8 * torch.rand(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.15 * torch.randn(p.shape, generator=g))


def build_encoder_folder(kind, tok, special_kw, act, seed, folder):
    cfg = encoder_config(kind, tok.get_vocab_size(with_added_tokens=True), act)
    model = transformers.AutoModel.from_config(cfg)
    init_encoder(model, seed)
    model.eval()
    model.save_pretrained(folder)
    hf = M.HFTokenizer(tokenizer_object=tok, **special_kw)
    hf.save_pretrained(folder)
    tok.save(os.path.join(folder, "tokenizer.json"))


def build_qwen3_folder(repo_root, folder):
    src = os.path.join(repo_root, "testdata", "models", "qwen3")
    for fn in ("config.json", "model.safetensors", "tokenizer_config.json", "generation_config.json"):
        shutil.copy(os.path.join(src, fn), folder)
    tok = Tokenizer.from_file(os.path.join(src, "tokenizer.json"))
    eot = tok.token_to_id("<|endoftext|>")
    # Qwen3-Embedding's tokenizer appends <|endoftext|>, whose last-layer state is the embedding.
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="$A <|endoftext|>", pair="$A <|endoftext|> $B <|endoftext|>",
                                      special_tokens=[("<|endoftext|>", eot)]),
    ])
    tok.save(os.path.join(folder, "tokenizer.json"))
    return tok


def st_model(st, stm, folder, pooling, normalize):
    tr = stm.Transformer(folder, max_seq_length=MAX_SEQ)
    mods = [tr, stm.Pooling(tr.get_word_embedding_dimension(), pooling_mode=pooling)]
    if normalize:
        mods.append(stm.Normalize())
    return st.SentenceTransformer(modules=mods, device="cpu")


def r8(x):
    return float(f"{x:.8g}")


def build_base(name, kind, tok_fn, act, default, seed, repo_root, out_dir, log):
    import sentence_transformers as st
    from sentence_transformers import models as stm
    blog = {"kind": kind, "hidden_act": act, "default": default}
    work = tempfile.mkdtemp()
    try:
        if kind == "qwen3":
            tok = build_qwen3_folder(repo_root, work)
        else:
            tok, special_kw = tok_fn()
            build_encoder_folder(kind, tok, special_kw, act, seed, work)
        variants = []
        ids_ref = None
        tok_emb = None
        for pooling in POOLINGS:
            for normalize in (False, True):
                m = st_model(st, stm, work, pooling, normalize)
                with torch.no_grad():
                    batched = m.encode(TEXTS, batch_size=len(TEXTS), convert_to_tensor=True).float()
                    single = torch.stack([m.encode([t], batch_size=1, convert_to_tensor=True)[0].float()
                                          for t in TEXTS])
                blog.setdefault("batched_vs_single_maxdiff", 0.0)
                blog["batched_vs_single_maxdiff"] = max(blog["batched_vs_single_maxdiff"],
                                                        float((batched - single).abs().max()))
                variants.append({"pooling": pooling, "normalize": normalize,
                                 "embeddings": [[r8(v) for v in row] for row in batched.tolist()]})
                if ids_ref is None:
                    feats = m.tokenize(TEXTS)
                    ids_ref = [row[mask.bool()].tolist() for row, mask in
                               zip(feats["input_ids"], feats["attention_mask"])]
                    with torch.no_grad():
                        te = m.encode(TEXTS[:2], output_value="token_embeddings")
                    tok_emb = [[[r8(v) for v in row] for row in t.float().tolist()] for t in te]
        blog["tokenizers_ids_agree"] = [tok.encode(t).ids[:MAX_SEQ] == i or len(tok.encode(t).ids) > MAX_SEQ
                                        for t, i in zip(TEXTS, ids_ref)]
        blog["lengths"] = [len(i) for i in ids_ref]
        # The saved layout: the default variant, written by sentence-transformers itself.
        folder = os.path.join(out_dir, name)
        shutil.rmtree(folder, ignore_errors=True)
        m = st_model(st, stm, work, default["pooling"], default["normalize"])
        m.save(folder)
        for junk in ("README.md",):
            p = os.path.join(folder, junk)
            if os.path.exists(p):
                os.remove(p)
        re = st.SentenceTransformer(folder, device="cpu")
        with torch.no_grad():
            again = re.encode(TEXTS, batch_size=len(TEXTS), convert_to_tensor=True).float()
        want = [v for v in variants if v["pooling"] == default["pooling"] and v["normalize"] == default["normalize"]][0]
        blog["reload_maxdiff"] = float((again - torch.tensor(want["embeddings"])).abs().max())
        blog["saved_files"] = sorted(os.path.relpath(os.path.join(dp, f), folder)
                                     for dp, _, fs in os.walk(folder) for f in fs)
        ref = {"base": name, "model_type": kind, "hidden_act": act, "max_seq_length": MAX_SEQ,
               "transformers_version": transformers.__version__,
               "sentence_transformers_version": st.__version__,
               "texts": TEXTS, "input_ids": ids_ref, "token_embeddings": tok_emb,
               "default": default, "variants": variants}
        M.write_json(os.path.join(folder, "reference.json"), ref, compact=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log[name] = blog


BASES = [
    ("bert", "bert", wordpiece_tokenizer, "gelu", {"pooling": "mean", "normalize": True}, 11),
    ("bert_tanh", "bert", wordpiece_tokenizer, "gelu_new", {"pooling": "cls", "normalize": False}, 12),
    ("roberta", "roberta", roberta_tokenizer, "gelu", {"pooling": "max", "normalize": True}, 13),
    ("xlmr", "xlm-roberta", unigram_tokenizer, "gelu", {"pooling": "cls", "normalize": True}, 14),
    ("qwen3", "qwen3", None, "silu", {"pooling": "lasttoken", "normalize": True}, 0),
]


# ---------------------------------------------------------------------------------------------
# Cross-encoder rerankers: *ForSequenceClassification with one label, scored on (query, document)
# pairs the way sentence-transformers' CrossEncoder does.

QUERY = "What is the capital of France?"
DOCS = [
    "The capital of France is Paris.",
    "The cat sat on the mat.",
    "What is the capital of Spain? The capital of Spain is Madrid.",
    "The old fisherman, who drank strong coffee at the café near the harbour, told the children many "
    "stories about ships, storms and stars while the waves rolled slowly onto the sand.",
    "a",
]
RERANKERS = [
    ("rerank_bert", "bert", wordpiece_tokenizer, 21),
    ("rerank_xlmr", "xlm-roberta", unigram_tokenizer, 22),
]


def build_reranker(name, kind, tok_fn, seed, out_dir, log):
    import sentence_transformers as st
    tok, special_kw = tok_fn()
    cfg = encoder_config(kind, tok.get_vocab_size(with_added_tokens=True))
    cfg.num_labels = 1
    model = transformers.AutoModelForSequenceClassification.from_config(cfg)
    init_encoder(model, seed)
    model.eval()
    folder = os.path.join(out_dir, name)
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(folder)
    hf = M.HFTokenizer(tokenizer_object=tok, model_max_length=MAX_SEQ, **special_kw)
    hf.save_pretrained(folder)
    tok.save(os.path.join(folder, "tokenizer.json"))
    hf = transformers.AutoTokenizer.from_pretrained(folder)
    feats = hf([QUERY] * len(DOCS), DOCS, padding=True, truncation=True, max_length=MAX_SEQ, return_tensors="pt")
    with torch.no_grad():
        logits = model(**feats).logits[:, 0].float()
    mask = feats["attention_mask"].bool()
    ids = [row[m].tolist() for row, m in zip(feats["input_ids"], mask)]
    types = ([row[m].tolist() for row, m in zip(feats["token_type_ids"], mask)]
             if "token_type_ids" in feats else [[0] * len(i) for i in ids])
    rlog = {"architecture": type(model).__name__}
    scores = None
    try:
        ce = st.CrossEncoder(folder, device="cpu", max_length=MAX_SEQ)
        scores = ce.predict([(QUERY, d) for d in DOCS], convert_to_numpy=True).tolist()
        rlog["crossencoder_activation"] = str(getattr(ce, "activation_fn", None))
        rlog["sigmoid_vs_crossencoder_maxdiff"] = float((torch.sigmoid(logits) - torch.tensor(scores)).abs().max())
    except Exception as e:  # noqa: BLE001
        rlog["crossencoder_error"] = f"{type(e).__name__}: {e}"[:400]
    ref = {"base": name, "model_type": kind, "max_length": MAX_SEQ, "query": QUERY, "documents": DOCS,
           "input_ids": ids, "token_type_ids": types, "logits": [r8(v) for v in logits.tolist()],
           "scores": [r8(v) for v in scores] if scores is not None else None,
           "transformers_version": transformers.__version__,
           "sentence_transformers_version": st.__version__}
    M.write_json(os.path.join(folder, "reference.json"), ref, compact=True)
    rlog["lengths"] = [len(i) for i in ids]
    log[name] = rlog


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--repo", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    ap.add_argument("--only", default="", help="comma-separated base names (default: all)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True, warn_only=True)
    os.makedirs(args.out, exist_ok=True)
    import sentence_transformers
    log = {"transformers": transformers.__version__, "torch": torch.__version__,
           "tokenizers": __import__("tokenizers").__version__,
           "sentence_transformers": sentence_transformers.__version__}
    failed = []
    only = set(filter(None, args.only.split(",")))
    for name, kind, tok_fn, act, default, seed in BASES:
        if only and name not in only:
            continue
        print("==", name, flush=True)
        try:
            build_base(name, kind, tok_fn, act, default, seed, args.repo, args.out, log)
        except Exception:  # noqa: BLE001
            failed.append(name)
            log[name] = {"error": traceback.format_exc()[-3000:]}
            print(traceback.format_exc(), flush=True)
    for name, kind, tok_fn, seed in RERANKERS:
        if only and name not in only:
            continue
        print("==", name, flush=True)
        try:
            build_reranker(name, kind, tok_fn, seed, args.out, log)
        except Exception:  # noqa: BLE001
            failed.append(name)
            log[name] = {"error": traceback.format_exc()[-3000:]}
            print(traceback.format_exc(), flush=True)
    log["failed"] = failed
    M.write_json(os.path.join(args.out, "log.json"), log)
    print("failed:", failed, flush=True)


if __name__ == "__main__":
    main()
