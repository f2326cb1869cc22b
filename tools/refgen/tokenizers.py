#!/usr/bin/env python3
"""Reference fixtures for the Go `tokenizer` package.

    python3 tools/refgen/tokenizers.py corpus
        (here, no dependencies) writes testdata/tokenizers/corpus.json: the
        hard strings every tokenizer is checked on.

    python3 tools/refgen/tokenizers.py spm
        (here, with the sentencepiece package: apt-get install
        python3-sentencepiece, then /usr/bin/python3) trains the two small
        SentencePiece unigram models into testdata/tokenizers/unigram-*/spm.model.gz,
        which the next `gpu` run converts to tokenizer.json (then delete
        them: without them `gpu` reuses the committed tokenizer.json).

    python3 tools/refgen/tokenizers.py gpu OUTDIR
        (on the GPU machine, which has HF `tokenizers`) trains the small
        WordPiece and Unigram tokenizers, encodes/decodes the corpus with every
        tokenizer under testdata/tokenizers/, streams the decodes with
        DecodeStream, benchmarks single-threaded encoding of .dev/bench.txt, and
        runs the Go benchmark binary .dev/tokbench on the same machine when it
        is there. Everything lands in OUTDIR/tokenizers-out.tar.gz.
"""
import os
import sys

# This file's name shadows the `tokenizers` package: drop its folder from
# the import path.
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

import gzip
import io
import json
import os
import random
import sys
import tarfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TD = os.path.join(ROOT, "testdata", "tokenizers")

# Tokenizers committed from npm packages (name -> file under testdata/tokenizers).
COMMITTED = {
    "qwen3": "qwen3/tokenizer.json.gz",
    "llama3": "llama3/tokenizer.json.gz",
    "llama2": "llama2/tokenizer.json.gz",
}
# Tokenizers trained by `gpu` (name -> folder under testdata/tokenizers).
TRAINED = ["bert-wordpiece", "unigram-sp", "unigram-bf"]

SPECIALS = ["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|begin_of_text|>", "<|eot_id|>",
            "<|start_header_id|>", "<|end_header_id|>", "<s>", "</s>", "<unk>", "[CLS]", "[SEP]",
            "[MASK]", "[PAD]", "[UNK]", "<pad>", "<think>", "</think>"]

HAND = [
    "", " ", "  ", "\n", "\n\n", "\t", "a", "A", "I", ".", "'", "'s", "0",
    "Hello, world!", "Hello world", " Hello world", "Hello world ", "  Hello   world  ",
    "hello\nworld", "hello\n\nworld", "hello\r\nworld", "hello \n world", "line1\n  line2\n\tline3",
    "The quick brown fox jumps over the lazy dog.",
    "I'm sure you're right; they've said we'll go, and he'd know it's John's.",
    "I'M SURE YOU'RE RIGHT; THEY'VE SAID WE'LL GO, HE'D KNOW IT'S JOHN'S.",
    "don't can't won't shouldn't y'all ma'am rock'n'roll O'Neil's",
    "'s 't 're 've 'm 'll 'd 'S 'T 'RE 'Ve 'M 'LL 'D 'x '",
    "She said 'hello' and ''quoted'' text ' spaced ' out",
    "Numbers: 0 1 12 123 1234 12345 123456 1234567 12345678901234567890",
    "3.14159 2.71828 -42 +7 1e10 0x1F 0b1010 1,000,000 1.000.000,00",
    "Phone: +1 (555) 123-4567, date 2024-01-15T10:30:00Z",
    "Devanagari digits १२३४५६ Arabic-Indic ٠١٢٣٤٥٦٧٨٩ fullwidth １２３",
    "Circled ① ② ③ superscript x² y³ fractions ½ ¾ roman Ⅻ ⅻ",
    "你好，世界！这是一个测试。",
    "中文文本没有空格但是有标点符号，例如：逗号、句号。",
    "東京タワーへ行きました。ひらがなとカタカナと漢字",
    "안녕하세요 세계! 한국어 텍스트입니다.",
    "Mixed 中文 and English 和 日本語 text 混合",
    "𠀀𠀁𠀂 rare CJK ext-B 𪚥 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math letters",
    "Emoji 😀😃😄😁 and 👍🏽 👋🏿 skin tones",
    "Family 👨‍👩‍👧‍👦 and couple 👩‍❤️‍💋‍👨 ZWJ sequences",
    "Flags 🇺🇸🇯🇵🇩🇪 🏳️‍🌈 🏴‍☠️ keycaps 1️⃣ #️⃣",
    "😀", "👨‍👩‍👧‍👦", "🇺🇸", "❤️", "🫠🫡🥹",
    "Combining: e\u0301 a\u0300 o\u0308 n\u0303 (NFD) vs é à ö ñ (NFC)",
    "Z\u0351\u0352a\u0353l\u0354g\u0355o\u0356 t\u0357e\u0358x\u0359t",
    "café naïve résumé coöperate Ångström",
    "Ελληνικά κείμενο με τόνους: άέήίόύώ ΐΰ",
    "Русский текст: Привет, мир! Ёлка и йод.",
    "Türkçe: İstanbul ıspanak İİ ıı",
    "Deutsch: Straße, Grüße, ẞ, MASSE",
    "Ligatures ﬁ ﬂ ﬀ ﬃ and fullwidth ＡＢＣ ａｂｃ",
    "Arabic: مرحبا بالعالم! هذا اختبار.",
    "Hebrew: שלום עולם, זה מבחן.",
    "RTL mixed: The word שלום means peace, and مرحبا means hello.",
    "\u202eRTL override\u202c and \u200fRLM\u200e LRM marks",
    "Thai: สวัสดีครับ ภาษาไทยไม่มีช่องว่าง",
    "Hindi: नमस्ते दुनिया, यह एक परीक्षण है।",
    "Tamil: வணக்கம் உலகம்",
    "Georgian: გამარჯობა Armenian: Բարեւ Ethiopic: ሰላም",
    "NBSP:\u00a0a\u00a0\u00a0b", "a\u00a0b", "\u00a0", "\u00a0\u00a0x",
    "Unicode spaces:\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a|end",
    "Ideographic\u3000space\u3000\u3000here", "narrow\u202fnbsp and\u205fmath space",
    "Zero\u200bwidth\u200bspace and\u200cnon\u200djoiner", "\ufeffBOM at start", "soft\u00adhyphen",
    "line\u2028separator\u2029paragraph", "next\u0085line", "vertical\u000btab\u000cform feed",
    "a  b   c    d     e", "trailing spaces     ", "     leading spaces", "  \n  \t  \n\n   ",
    "\n\n\n\n\n", "\r\n\r\n", "\r\r\n\n", " \n", "\n ", " \n ", "\t\t\ttabs", "x\t\ty",
    "word\n\n\n\nword", "end with newline\n", "   \n   x",
    "def foo(bar, baz=None):\n    return bar + baz  # comment\n",
    "func main() {\n\tfmt.Println(\"hello\")\n}\n",
    "for (int i = 0; i < n; ++i) { sum += a[i] * b[i]; }",
    "if x != 0 && y >= 10 || z <= -5 { return x >>= 2 }",
    "{\"key\": \"value\", \"list\": [1, 2, 3], \"nested\": {\"a\": null}}",
    "<html><body class=\"main\"><p>Hello &amp; welcome</p></body></html>",
    "SELECT * FROM users WHERE id = 42 AND name LIKE '%smith%';",
    "$ git commit -m \"fix: handle edge-case\" && git push origin main",
    "https://example.com/path/to/page?query=1&other=two#fragment",
    "email: someone.name+tag@example.co.uk",
    "#hashtag @mention $100 €50 £30 ¥1000 ₹500 ₿0.5",
    "**bold** _italic_ `code` ~~strike~~ [link](http://x.y) > quote",
    "$$\\int_0^\\infty e^{-x^2} dx = \\frac{\\sqrt{\\pi}}{2}$$",
    "∑∫√∞≠≤≥±×÷∂∇ ∀x∃y: x∈A ∧ y∉B",
    "→ ← ↑ ↓ ⇒ ⇔ ★ ☆ ♠ ♣ ♥ ♦ © ® ™ § ¶ † ‡ • … ‰",
    "....!!!???,,,;;;:::---___===+++***///\\\\\\|||",
    "((()))[[[]]]{{{}}}<<<>>>",
    "a.b,c;d:e!f?g", "end.", "...", "?!", "--", "—dash—and–en–dash",
    "«guillemets» „German quotes“ “curly” ‘single’ 「Japanese」『quotes』",
    "\x00null\x00byte", "\x07bell\x1b[31mred\x1b[0m", "\x7fdel", "\x01\x02\x03",
    "\ufffd replacement \ufffd\ufffd", "private use \ue000\uf8ff",
    "▁ already has metaspace ▁▁", "Ġ and Ċ look like byte-level", "## hash prefix ##ing",
    "<0x41> looks like a byte token", "\\u00e9 escaped",
    "supercalifragilisticexpialidocious " * 3,
    "pneumonoultramicroscopicsilicovolcanoconiosis",
    "a" * 300, "ab" * 200, "🙂" * 50, "中" * 120, "1" * 100, " " * 64, "\n" * 40, "-" * 80, "é" * 60,
    "x" + " " * 20 + "y", "The" + "e" * 500 + "nd",
    "Hello<|im_start|>world", "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
    "<s>[INST] Hello [/INST] Hi</s>", "text <s> inside </s> text", "<s><s></s></s>",
    "[CLS] sentence one [SEP] sentence two [SEP]", "[MASK] is [MASK]", "[UNK] and <unk>",
    "<|endoftext|>", "a<|endoftext|>b", " <|endoftext|> ", "<|im_end|><|im_end|>",
    "<think>\nreasoning\n</think>\n\nanswer", "<|im_start", "im_start|>", "<|", "|>", "<s", "s>", "</",
    "<|IM_START|>", "<S>", "[cls]",
    "Ŀ ŀ ĳ Ĳ ŉ ǅ ǈ ǋ ǲ titlecase", "ſ long s and 'ſ contraction", "Kelvin K sign",
    "ǅemal Ǉudevit", "ΣΑΣ σας ς final sigma",
    "İ", "ß", "ﬃ", "Å", "K", "Ω", "ﾊﾝｶｸ half-width katakana", "ｶﾞｷﾞ",
    "Tab\tseparated\tvalues\tin\ta\trow", "CSV,values,\"quoted, with comma\",end",
    "The year 1999 and 2024; version v1.2.3-rc.4+build.567",
    "CamelCaseWordsAndsnake_case_words and kebab-case-words",
    "URL_ENCODED%20TEXT%3Dvalue", "base64: SGVsbG8gV29ybGQh==",
    "i.e. e.g. etc. Mr. Mrs. Dr. U.S.A. a.m. p.m.",
    "1st 2nd 3rd 4th 21st 100th", "10:30am 23:59:59 12/31/2024 31.12.2024",
    "½ cup + ⅓ tsp ≈ 150 ml @ 20°C", "H₂O CO₂ E=mc² x⁴",
    "ASCII art:\n  /\\_/\\\n ( o.o )\n  > ^ <\n",
    "   indented\n       more indented\n   back",
    "\u0301 leading combining mark", "a\u0301\u0302\u0303\u0304 stacked", "\u0915\u094d\u0937 conjunct",
    "한\u1100\u1161 jamo 가", "ä" + "\u0308" * 5,
]

WORDS = ("the of and to in is was for on that with as by at from it be this are or an have not "
         "which one you they but all were we there can their has more other if will when what so "
         "time about out up into some could them see people only also new first way after many "
         "world language model token tokenizer encode decode byte pair merge vocabulary").split()
POOL = [
    "hello", "World", "don't", "it's", "I'll", "42", "3.14", "2024", "1234567", "😀", "👨‍👩‍👧", "🇫🇷",
    "中文", "日本語", "한국어", "مرحبا", "שלום", "Привет", "naïve", "e\u0301", "\u00a0", "\u3000", "\t",
    "\n", "\n\n", "  ", "   ", "\r\n", "...", "!?", "(", ")", "{", "}", "<", ">", "::", "->", "=>",
    "#", "@", "$", "%", "&&", "||", "/*", "*/", "//", "'", "\"", "`", "~", "^", "_", "-", "+", "=",
    "ſ", "İ", "ß", "ﬁ", "Ω", "x²", "½", "①", "₹", "€", "\u200b", "\u200d", "\ufeff", "\x00", "\u0085",
] + SPECIALS


def generated(n, seed=20261126):
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        parts = []
        for _ in range(rnd.randint(1, 24)):
            r = rnd.random()
            if r < 0.45:
                w = rnd.choice(WORDS)
                if rnd.random() < 0.15:
                    w = w.capitalize()
                if rnd.random() < 0.05:
                    w = w.upper()
                parts.append(w)
            else:
                parts.append(rnd.choice(POOL))
            sep = rnd.random()
            parts.append(" " if sep < 0.7 else "" if sep < 0.9 else rnd.choice(["  ", "\n", " \n", "\t", "\u00a0"]))
        out.append("".join(parts))
    return out


def make_corpus():
    cases = list(HAND) + generated(220)
    seen, uniq = set(), []
    for c in cases:
        if c not in seen:
            seen.add(c)
            uniq.append(c)
    path = os.path.join(TD, "corpus.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"about": "hard strings for tokenizer goldens; made by tools/refgen/tokenizers.py corpus",
                   "cases": uniq}, f, ensure_ascii=True, indent=0)
        f.write("\n")
    print(f"wrote {len(uniq)} strings to {path}")


# ---------------------------------------------------------------- GPU side

def training_text():
    """Text to train the small tokenizers on: this repo's Go and Markdown
    files plus the corpus, so the vocabularies are tiny but realistic."""
    texts = []
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "testdata"]
        for fn in sorted(filenames):
            if fn.endswith((".go", ".md")):
                try:
                    with open(os.path.join(dirpath, fn), encoding="utf-8") as f:
                        texts.append(f.read())
                except (OSError, UnicodeDecodeError):
                    pass
    corpus = json.load(open(os.path.join(TD, "corpus.json"), encoding="utf-8"))["cases"]
    lines = []
    for t in texts + corpus * 3:
        lines.extend(l for l in t.split("\n") if l.strip())
    return lines


def proto_fields(buf):
    """Yields (field, wire type, value) of a protobuf message."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        field, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        elif wt == 2:
            n, i = varint(buf, i)
            v, i = buf[i:i + n], i + n
        else:
            raise ValueError(f"wire type {wt}")
        yield field, wt, v


def parse_spm(proto):
    """Pieces (piece, score, type), the precompiled charsmap and the
    byte_fallback flag of a SentencePiece ModelProto."""
    import struct
    pieces, charsmap, byte_fallback = [], b"", False
    for f, _, v in proto_fields(proto):
        if f == 1:
            piece, score, typ = "", 0.0, 1
            for g, _, w in proto_fields(v):
                if g == 1:
                    piece = w.decode("utf-8")
                elif g == 2:
                    score = struct.unpack("<f", w)[0]
                elif g == 3:
                    typ = w
            pieces.append((piece, score, typ))
        elif f == 2:
            for g, _, w in proto_fields(v):
                if g == 35:  # TrainerSpec.byte_fallback
                    byte_fallback = bool(w)
        elif f == 3:
            for g, _, w in proto_fields(v):
                if g == 2:
                    charsmap = w
    return pieces, charsmap, byte_fallback


def make_spm():
    """Trains the two small SentencePiece unigram models (needs the
    sentencepiece package; Debian's python3-sentencepiece will do)."""
    import sentencepiece as spm
    import tempfile
    lines = training_text()
    with tempfile.TemporaryDirectory() as tmp:
        txt = os.path.join(tmp, "train.txt")
        with open(txt, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        for name, bf in (("unigram-sp", False), ("unigram-bf", True)):
            os.makedirs(os.path.join(TD, name), exist_ok=True)
            prefix = os.path.join(tmp, name)
            spm.SentencePieceTrainer.train(input=txt, model_prefix=prefix, vocab_size=1500, model_type="unigram",
                                           character_coverage=0.995, byte_fallback=bf,
                                           normalization_rule_name="nmt_nfkc", max_sentence_length=1 << 20,
                                           minloglevel=2)
            with open(prefix + ".model", "rb") as src, gzip.open(os.path.join(TD, name, "spm.model.gz"), "wb") as dst:
                dst.write(src.read())
            pieces, charsmap, fb = parse_spm(open(prefix + ".model", "rb").read())
            print(f"{name}: {len(pieces)} pieces, charsmap {len(charsmap)} bytes, byte_fallback {fb}")


def varint(buf, i):
    shift = v = 0
    while True:
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return v, i


def train_all(work, log):
    from tokenizers import Tokenizer, Regex, decoders, models, normalizers, pre_tokenizers, processors, trainers
    lines = training_text()
    log(f"training text: {len(lines)} lines, {sum(map(len, lines))} chars")
    out = {}

    # BERT-style WordPiece.
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tr = trainers.WordPieceTrainer(vocab_size=3000, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    tok.train_from_iterator(lines, tr)
    tok.post_processor = processors.BertProcessing(("[SEP]", tok.token_to_id("[SEP]")), ("[CLS]", tok.token_to_id("[CLS]")))
    tok.decoder = decoders.WordPiece(prefix="##")
    out["bert-wordpiece"] = tok

    # SentencePiece Unigram models (trained here by `spm`, committed as
    # spm.model) converted the way transformers converts them: Precompiled
    # charsmap + collapsing of space runs, Metaspace, Unigram with scores.
    for name in ("unigram-sp", "unigram-bf"):
        src = os.path.join(TD, name, "spm.model.gz")
        if not os.path.exists(src):
            # Not retrained: gpu() uses the committed tokenizer.json.
            continue
        with gzip.open(src, "rb") as f:
            proto = f.read()
        pieces, charsmap, byte_fallback = parse_spm(proto)
        unk_id = next(i for i, (_, _, t) in enumerate(pieces) if t == 2)
        log(f"{name}: {len(pieces)} pieces, charsmap {len(charsmap)} bytes, byte_fallback {byte_fallback}")
        tok = Tokenizer(models.Unigram([(p, sc) for p, sc, _ in pieces], unk_id=unk_id, byte_fallback=byte_fallback))
        tok.normalizer = normalizers.Sequence([normalizers.Precompiled(charsmap), normalizers.Replace(Regex(" {2,}"), " ")])
        scheme = "first" if byte_fallback else "always"
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme=scheme, split=not byte_fallback)
        if byte_fallback:
            tok.decoder = decoders.Sequence([decoders.Metaspace(replacement="\u2581", prepend_scheme=scheme),
                                             decoders.ByteFallback()])
        else:
            tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme=scheme)
        tok.add_special_tokens([p for p, _, t in pieces if t in (2, 3)])
        eos = tok.token_to_id("</s>")
        tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", eos)])
        out[name] = tok
    return out


def stream_decode(tok, ids, skip):
    try:
        from tokenizers.decoders import DecodeStream
    except ImportError:
        DecodeStream = None
    pieces = []
    if DecodeStream is not None:
        try:
            ds = DecodeStream(skip_special_tokens=skip)
            for i in ids:
                s = ds.step(tok, i)
                pieces.append(s if s is not None else "")
            return pieces, "DecodeStream"
        except TypeError:
            pieces = []
    # The same algorithm as DecodeStream, for older tokenizers.
    window, prefix, pidx = [], "", 0
    for i in ids:
        if not prefix and window:
            p = tok.decode(window, skip_special_tokens=skip)
            if not p.endswith("\ufffd"):
                prefix, pidx = p, len(window)
        window.append(i)
        s = tok.decode(window, skip_special_tokens=skip)
        if len(s.encode()) > len(prefix.encode()) and not s.endswith("\ufffd"):
            pieces.append(s[len(prefix):])
            npi = len(window) - pidx
            window = window[pidx:]
            prefix = tok.decode(window, skip_special_tokens=skip)
            pidx = npi
        else:
            pieces.append("")
    return pieces, "python re-implementation of DecodeStream"


def goldens(tok, corpus):
    cases = []
    how = None
    for s in corpus:
        plain = tok.encode(s, add_special_tokens=False)
        spec = tok.encode(s, add_special_tokens=True).ids
        stream, how = stream_decode(tok, spec, False)
        cases.append({
            "ids": plain.ids, "tokens": plain.tokens, "ids_special": spec,
            "decode": tok.decode(spec, skip_special_tokens=False),
            "decode_skip": tok.decode(spec, skip_special_tokens=True),
            "stream": stream,
        })
    return cases, how


def bench(tok, docs, reps=5):
    best = None
    n = 0
    for _ in range(reps):
        t0 = time.perf_counter()
        n = 0
        for d in docs:
            n += len(tok.encode(d, add_special_tokens=False).ids)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return best, n


def gpu(outdir):
    os.environ["RAYON_NUM_THREADS"] = "1"
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    import subprocess
    import tokenizers
    from tokenizers import Tokenizer
    logs = []

    def log(m):
        print(m, flush=True)
        logs.append(m)

    log(f"tokenizers {tokenizers.__version__}")
    try:
        cpu = [l for l in open("/proc/cpuinfo") if l.startswith("model name")][0].split(":", 1)[1].strip()
    except Exception:
        cpu = "unknown"
    log(f"cpu: {cpu}; cores: {os.cpu_count()}")
    work = os.path.join(outdir, "work")
    os.makedirs(work, exist_ok=True)
    corpus = json.load(open(os.path.join(TD, "corpus.json"), encoding="utf-8"))["cases"]
    toks = {}
    committed = dict(COMMITTED)
    for name in ("unigram-sp", "unigram-bf"):
        if not os.path.exists(os.path.join(TD, name, "spm.model.gz")):
            committed[name] = f"{name}/tokenizer.json.gz"
    for name, rel in committed.items():
        with gzip.open(os.path.join(TD, rel), "rt", encoding="utf-8") as f:
            toks[name] = Tokenizer.from_str(f.read())
    files = {}
    try:
        trained = train_all(work, log)
    except Exception as e:  # keep the goldens of the committed ones
        import traceback
        log("training failed: " + traceback.format_exc())
        trained = {}
    for name, tok in trained.items():
        toks[name] = tok
        files[f"{name}/tokenizer.json"] = tok.to_str(pretty=False).encode()
    for name, tok in toks.items():
        t0 = time.perf_counter()
        try:
            cases, how = goldens(tok, corpus)
        except Exception:
            import traceback
            log(f"goldens {name} failed: " + traceback.format_exc())
            continue
        log(f"goldens {name}: {len(cases)} cases in {time.perf_counter() - t0:.1f}s (stream: {how})")
        files[f"{name}/goldens.json"] = json.dumps(
            {"tokenizers_version": tokenizers.__version__, "stream_method": how, "cases": cases},
            ensure_ascii=True).encode()
    # Benchmark: encode each paragraph of .dev/bench.txt, single thread.
    result = {"tokenizers_version": tokenizers.__version__, "cpu": cpu}
    bpath = os.path.join(ROOT, ".dev", "bench.txt")
    if os.path.exists(bpath):
        text = open(bpath, encoding="utf-8").read()
        docs = text.split("\n\n")
        result["bench_bytes"] = len(text.encode())
        result["bench_docs"] = len(docs)
        for name in ("qwen3", "llama3", "llama2"):
            dt, n = bench(toks[name], docs)
            result[f"hf_{name}_seconds"] = dt
            result[f"hf_{name}_tokens"] = n
            log(f"HF {name}: {dt * 1000:.1f} ms for {len(text.encode())} bytes, {n} tokens, "
                f"{len(text.encode()) / dt / 1e6:.2f} MB/s")
            dt1, n1 = bench(toks[name], [text], reps=3)
            result[f"hf_{name}_whole_seconds"] = dt1
            result[f"hf_{name}_whole_tokens"] = n1
            log(f"HF {name} whole text in one encode: {dt1 * 1000:.1f} ms, {n1} tokens")
        gobin = os.path.join(ROOT, ".dev", "tokbench")
        if os.path.exists(gobin):
            os.chmod(gobin, 0o755)
            env = dict(os.environ, GOMAXPROCS="1", TOKBENCH_TEXT=bpath)
            p = subprocess.run([gobin, "-test.run=^$", "-test.bench=BenchmarkEncode", "-test.benchtime=5x",
                                "-test.count=3", "-test.benchmem"],
                               cwd=os.path.join(ROOT, "tokenizer"), env=env, capture_output=True, text=True, timeout=240)
            log("go bench rc=%d\n%s\n%s" % (p.returncode, p.stdout[-4000:], p.stderr[-2000:]))
            result["go_bench_output"] = p.stdout
    files["bench.json"] = json.dumps(result, indent=1).encode()
    files["log.txt"] = "\n".join(logs).encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in files.items():
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
    with open(os.path.join(outdir, "tokenizers-out.tar.gz"), "wb") as f:
        f.write(buf.getvalue())
    with open(os.path.join(outdir, "log.txt"), "w") as f:
        f.write("\n".join(logs))
    import shutil
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "corpus":
        make_corpus()
    elif len(sys.argv) >= 2 and sys.argv[1] == "spm":
        make_spm()
    elif len(sys.argv) >= 3 and sys.argv[1] == "gpu":
        gpu(sys.argv[2])
    else:
        print(__doc__)
        sys.exit(2)
