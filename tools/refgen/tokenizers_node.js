#!/usr/bin/env node
// Component goldens for the Go `tokenizer` package, from Hugging Face
// tokenizers' own Node binding (npm package `tokenizers`, the same Rust
// code as the Python package). It needs no GPU machine:
//
//   mkdir -p /tmp/hfnode && cd /tmp/hfnode && npm install tokenizers@0.23.2
//   NODE_PATH=/tmp/hfnode/node_modules node tools/refgen/tokenizers_node.js
//
// With the argument `regex` it writes testdata/tokenizers/regex.json.gz:
// random patterns through a Split pre-tokenizer (offsets in code points).
//
// With the argument `unicode OUT.json` it instead probes, code point by
// code point over planes 0-3 and the tag plane, the character classes and
// per-character mappings HF tokenizers uses (Oniguruma's \p{L} \p{N} \s \w,
// Rust's is_numeric, BERT's punctuation and control sets, lowercase,
// StripAccents, NFC/NFD/NFKC/NFKD): each comes from a different crate with
// its own Unicode version. `TOK_UNICODE_JSON=OUT.json go test -run
// TestGenerateUnicodeTables ./tokenizer` turns that into
// tokenizer/unicode_tables.go.
//
// Each variant is a committed base tokenizer.json (or none) with some
// top-level keys replaced, so together they exercise every normalizer,
// pre-tokenizer (every Split behavior, inverted or not), post-processor,
// decoder and added-token option that the six real tokenizers of
// tokenizers.py leave out. Output: testdata/tokenizers/components.json.gz.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { Tokenizer } = require('tokenizers');

const ROOT = path.resolve(__dirname, '..', '..');
const TD = path.join(ROOT, 'testdata', 'tokenizers');
const corpus = JSON.parse(fs.readFileSync(path.join(TD, 'corpus.json'), 'utf8')).cases;
// The hand-written part of the corpus.
const cases = corpus.slice(0, 195);

function base(name) {
  return JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(TD, name, 'tokenizer.json.gz'))).toString());
}

// A tiny BPE with a word suffix and another with a subword prefix, learnt
// here by plain pair counting so the merges are consistent.
function learnBPE({ suffix = '', prefix = '', merges: nMerges = 300 }) {
  const words = {};
  for (const s of corpus) for (const w of s.toLowerCase().split(/[^a-z]+/)) if (w) words[w] = (words[w] || 0) + 1;
  let split = Object.entries(words).map(([w, n]) => {
    const cs = [...w].map((c, i) => (i > 0 ? prefix : '') + c);
    cs[cs.length - 1] += suffix;
    return [cs, n];
  });
  const vocab = { '<unk>': 0 };
  const add = (t) => { if (!(t in vocab)) vocab[t] = Object.keys(vocab).length; };
  for (const [cs] of split) cs.forEach(add);
  const merges = [];
  for (let m = 0; m < nMerges; m++) {
    const counts = new Map();
    for (const [cs, n] of split) for (let i = 0; i + 1 < cs.length; i++) {
      const k = cs[i] + '\u0000' + cs[i + 1];
      counts.set(k, (counts.get(k) || 0) + n);
    }
    let best = null, bestN = 0;
    for (const [k, n] of counts) if (n > bestN || (n === bestN && k < best)) { best = k; bestN = n; }
    if (!best || bestN < 2) break;
    const [a, b] = best.split('\u0000');
    const merged = a + (prefix && b.startsWith(prefix) ? b.slice(prefix.length) : b);
    merges.push([a, b]);
    add(merged);
    split = split.map(([cs, n]) => {
      const out = [];
      for (let i = 0; i < cs.length; i++) {
        if (i + 1 < cs.length && cs[i] === a && cs[i + 1] === b) { out.push(merged); i++; } else out.push(cs[i]);
      }
      return [out, n];
    });
  }
  return { type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: prefix || null,
           end_of_word_suffix: suffix || null, fuse_unk: true, byte_fallback: false, ignore_merges: false, vocab, merges };
}

const added = (id, content, o = {}) => Object.assign({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }, o);
const split = (pattern, behavior, invert = false) => ({ type: 'Split', pattern, behavior, invert });
const bertPost = { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] };

const variants = [];
const v = (name, baseName, override) => variants.push({ name, base: baseName, override });

// Pre-tokenizers over the WordPiece vocabulary.
for (const b of ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous']) {
  for (const inv of [false, true]) {
    v(`split-string-${b}-${inv}`, 'bert-wordpiece', { pre_tokenizer: split({ String: ' ' }, b, inv) });
    v(`split-regex-${b}-${inv}`, 'bert-wordpiece', { pre_tokenizer: split({ Regex: '\\s+|[.,!?]' }, b, inv) });
  }
}
v('split-lookahead', 'bert-wordpiece', { pre_tokenizer: { type: 'Sequence', pretokenizers: [split({ Regex: "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+" }, 'Isolated'), { type: 'WhitespaceSplit' }] } });
v('whitespace', 'bert-wordpiece', { pre_tokenizer: { type: 'Whitespace' } });
v('whitespace-split', 'bert-wordpiece', { pre_tokenizer: { type: 'WhitespaceSplit' } });
v('punctuation', 'bert-wordpiece', { pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Punctuation', behavior: 'Isolated' }] } });
v('punctuation-contiguous', 'bert-wordpiece', { pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Punctuation', behavior: 'Contiguous' }] } });
v('digits-individual', 'bert-wordpiece', { pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'BertPreTokenizer' }, { type: 'Digits', individual_digits: true }] } });
v('digits-grouped', 'bert-wordpiece', { pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Digits', individual_digits: false }] } });
v('char-delimiter', 'bert-wordpiece', { pre_tokenizer: { type: 'CharDelimiterSplit', delimiter: 'e' } });
// Normalizers.
v('nfd-strip-lower', 'bert-wordpiece', { normalizer: { type: 'Sequence', normalizers: [{ type: 'NFD' }, { type: 'StripAccents' }, { type: 'Lowercase' }] } });
v('nfkc-strip', 'bert-wordpiece', { normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Strip', strip_left: true, strip_right: true }, { type: 'Lowercase' }] } });
v('nfkd-replace', 'bert-wordpiece', { normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKD' }, { type: 'Replace', pattern: { Regex: '\\d+' }, content: '#' }, { type: 'Lowercase' }] } });
v('nfc-prepend', 'bert-wordpiece', { normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Prepend', prepend: 'x ' }, { type: 'Strip', strip_left: false, strip_right: true }] } });
v('bert-cased', 'bert-wordpiece', { normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: false, strip_accents: false, lowercase: false } });
v('bert-strip-no-lower', 'bert-wordpiece', { normalizer: { type: 'BertNormalizer', clean_text: false, handle_chinese_chars: true, strip_accents: true, lowercase: false } });
v('nmt-nfkc', 'bert-wordpiece', { normalizer: { type: 'Sequence', normalizers: [{ type: 'Nmt' }, { type: 'NFKC' }, { type: 'Lowercase' }] } });
// Post-processors and decoders.
v('roberta-post', 'bert-wordpiece', { post_processor: { type: 'RobertaProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2], trim_offsets: true, add_prefix_space: false } });
v('template-post', 'bert-wordpiece', { post_processor: { type: 'TemplateProcessing', single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }], pair: [], special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } } } });
v('sequence-post', 'bert-wordpiece', { post_processor: { type: 'Sequence', processors: [{ type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true }, bertPost] } });
v('decoder-wordpiece-nocleanup', 'bert-wordpiece', { decoder: { type: 'WordPiece', prefix: '##', cleanup: false } });
v('decoder-strip-replace', 'bert-wordpiece', { decoder: { type: 'Sequence', decoders: [{ type: 'WordPiece', prefix: '##', cleanup: true }, { type: 'Replace', pattern: { String: 'e' }, content: 'E' }, { type: 'Fuse' }, { type: 'Strip', content: '[', start: 2, stop: 0 }] } });
v('decoder-ctc', 'bert-wordpiece', { decoder: { type: 'CTC', pad_token: '[PAD]', word_delimiter_token: '|', cleanup: true } });
v('decoder-fuse', 'bert-wordpiece', { decoder: { type: 'Fuse' } });
v('no-decoder', 'bert-wordpiece', { decoder: null });
// Added tokens with every option.
const bertAdded = base('bert-wordpiece').added_tokens;
v('added-options', 'bert-wordpiece', { added_tokens: bertAdded.concat([
  added(3000, '<mask>', { lstrip: true }), added(3001, '<r>', { rstrip: true }), added(3002, '<both>', { lstrip: true, rstrip: true }),
  added(3003, 'the', { single_word: true, special: false, normalized: true }), added(3004, 'Hello', { special: false, normalized: true }),
  added(3005, 'World', { special: false, normalized: false }), added(3006, '中', { special: false }), added(3007, 'ab', { single_word: true, special: false }),
]) });
// Metaspace schemes over the unigram vocabulary.
for (const scheme of ['always', 'first', 'never']) {
  for (const sp of [true, false]) {
    v(`metaspace-${scheme}-${sp}`, 'unigram-sp', {
      pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: scheme, split: sp },
      decoder: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: scheme, split: sp } });
  }
}
v('metaspace-legacy', 'unigram-sp', { pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', add_prefix_space: true }, decoder: { type: 'Metaspace', replacement: '\u2581', add_prefix_space: true } });
// Byte-level BPE variations on Llama 3's vocabulary.
v('bytelevel-gpt2', 'llama3', { pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true } });
v('bytelevel-prefix', 'llama3', { pre_tokenizer: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true }, post_processor: { type: 'RobertaProcessing', sep: ['<|end_of_text|>', 128001], cls: ['<|begin_of_text|>', 128000], trim_offsets: true, add_prefix_space: true } });
v('bytelevel-digits', 'llama3', { pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true }] } });
v('bytelevel-normalizer', 'qwen3', { normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] } });
// BPE with word suffix / subword prefix.
v('bpe-suffix', null, { model: learnBPE({ suffix: '</w>' }), normalizer: { type: 'Lowercase' }, pre_tokenizer: { type: 'Whitespace' }, decoder: { type: 'BPEDecoder', suffix: '</w>' }, added_tokens: [added(0, '<unk>')] });
v('bpe-prefix', null, { model: learnBPE({ prefix: '##' }), normalizer: { type: 'Lowercase' }, pre_tokenizer: { type: 'BertPreTokenizer' }, decoder: { type: 'WordPiece', prefix: '##', cleanup: true }, added_tokens: [added(0, '<unk>')] });

const RANGES = [[0, 0x32000], [0xE0000, 0xE0200]];
function* codepoints() {
  for (const [lo, hi] of RANGES) for (let cp = lo; cp < hi; cp++) if (cp < 0xD800 || cp > 0xDFFF) yield cp;
}

// probeRegex returns the code points the regex matches on their own: they
// are joined by a separator the regex matches, split with Removed, and the
// pieces left (offsets in code points) are the ones it does not match.
async function probeRegex(re, sep) {
  const tok = Tokenizer.fromString(JSON.stringify({ version: '1.0', added_tokens: [], normalizer: null,
    pre_tokenizer: { type: 'Split', pattern: { Regex: re }, behavior: 'Removed', invert: false }, post_processor: null,
    decoder: null, model: { type: 'WordLevel', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' } }));
  const all = [...codepoints()];
  const matched = [];
  for (let i = 0; i < all.length; i += 2000) {
    const chunk = all.slice(i, i + 2000);
    const e = await tok.encode(chunk.map((c) => String.fromCodePoint(c)).join(sep));
    const left = new Set(e.getOffsets().map(([a]) => a / 2));
    for (const [j, e2] of e.getOffsets().entries()) if (e2[1] - e2[0] !== 1 || e2[0] % 2) throw new Error(`${re}: unexpected piece ${e2}`);
    chunk.forEach((c, j) => { if (!left.has(j)) matched.push(c); });
  }
  return matched;
}

async function unicodeProbe(outPath) {
  const t = require('tokenizers');
  const res = {};
  for (const [name, re, sep] of [['onig_L', '\\p{L}', 'a'], ['onig_N', '\\p{N}', '0'], ['onig_s', '\\s', ' '], ['onig_w', '\\w', 'a']]) {
    res[name] = await probeRegex(re, sep);
    console.log(name, res[name].length);
  }
  const maps = {
    bert_clean: t.bertNormalizer({ cleanText: true, handleChineseChars: false, stripAccents: false, lowercase: false }),
    bert_strip: t.bertNormalizer({ cleanText: false, handleChineseChars: false, stripAccents: true, lowercase: false }),
    lower: t.lowercase(), strip_accents: t.stripAccentsNormalizer(),
    nfc: t.nfcNormalizer(), nfd: t.nfdNormalizer(), nfkc: t.nfkcNormalizer(), nfkd: t.nfkdNormalizer(),
  };
  const pres = { digits: t.digitsPreTokenizer(true), bert_punct: t.punctuationPreTokenizer() };
  for (const k of Object.keys(maps)) res[k] = [];
  for (const k of Object.keys(pres)) res[k] = [];
  // The Whitespace pre-tokenizer's \w (Rust's regex crate): "a" c "b" stays one piece.
  const ws = t.whitespacePreTokenizer();
  res.rust_word = [];
  // Marks whose canonical combining class HF's normalization tables know
  // to be above 1: they move after U+0334 (class 1) in NFD.
  const nfd = t.nfdNormalizer();
  res.ccc_gt1 = [];
  for (const cp of codepoints()) {
    const c = String.fromCodePoint(cp);
    for (const [k, f] of Object.entries(maps)) {
      const r = f.normalizeString(c);
      if (r !== c) res[k].push([cp, r]);
    }
    const s = 'a' + c + 'b';
    for (const [k, p] of Object.entries(pres)) if (p.preTokenizeString(s).length === 3) res[k].push(cp);
    if (ws.preTokenizeString(s).length === 1) res.rust_word.push(cp);
    if (nfd.normalizeString(c + '\u0334').startsWith('\u0334')) res.ccc_gt1.push(cp);
  }
  res.ranges = RANGES;
  res.tokenizers_version = require('tokenizers/package.json').version;
  fs.writeFileSync(outPath, JSON.stringify(res));
  console.log('wrote', outPath);
}

// regexGoldens: random Oniguruma patterns from a small grammar (classes,
// alternation, greedy/lazy/possessive quantifiers, lookaround, anchors,
// case folding) split random strings, for the Go fallback regex engine.
async function regexGoldens() {
  let st = 987654321;
  const rnd = () => { st ^= st << 13; st ^= st >>> 17; st ^= st << 5; return (st >>> 0) / 4294967296; };
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const atoms = ['^', '$', '\\b', '\\B', '(?i)a', '[[:alpha:]]', '[^\\d\\s]', 'a', 'b', '\\s', '\\S', '\\d', '\\w', '\\W',
    '\\p{L}', '\\p{N}', '\\p{Lu}', '\\p{P}', '[^\\s\\p{L}\\p{N}]', '[a-c]', '[^a]', '.', "'", ' ', '\\n', '[\\r\\n]', '(?i:ab)', 'x'];
  const gen = (d) => {
    const r = rnd();
    if (d > 2 || r < 0.35) return pick(atoms) + (rnd() < 0.4 ? pick(['+', '*', '?', '{1,3}', '+?', '*?', '{2}', '++']) : '');
    if (r < 0.55) return gen(d + 1) + gen(d + 1);
    if (r < 0.7) return '(?:' + gen(d + 1) + '|' + gen(d + 1) + ')';
    if (r < 0.8) return gen(d + 1) + '(?!' + gen(d + 2) + ')';
    if (r < 0.85) return gen(d + 1) + '(?=' + gen(d + 2) + ')';
    if (r < 0.9) return '(?<=' + pick(['a', 'b', ' ', '\\d']) + ')' + gen(d + 1);
    return '(' + gen(d + 1) + ')' + pick(['', '*', '+', '?']);
  };
  const alphabet = ['a', 'b', 'A', 'B', 'x', '1', '2', ' ', '  ', '\n', '\r\n', "'", 'é', '中', '!', '.', '-', '_', '\t', 'ab', 'AB', '😀'];
  const strs = [];
  for (let i = 0; i < 30; i++) { let s = ''; for (let n = Math.floor(rnd() * 14); n > 0; n--) s += pick(alphabet); strs.push(s); }
  const pats = [];
  while (pats.length < 400) {
    const pat = gen(0);
    let tok;
    try {
      tok = Tokenizer.fromString(JSON.stringify({ version: '1.0', added_tokens: [], normalizer: null,
        pre_tokenizer: { type: 'Split', pattern: { Regex: pat }, behavior: 'Isolated', invert: false }, post_processor: null,
        decoder: null, model: { type: 'WordLevel', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' } }));
    } catch (e) { continue; } // Oniguruma rejects it
    const res = [];
    for (const s of strs) res.push((await tok.encode(s)).getOffsets());
    pats.push({ pat, pieces: res });
  }
  fs.writeFileSync(path.join(TD, 'regex.json.gz'), zlib.gzipSync(JSON.stringify({ strs, pats }), { level: 9 }));
  console.log('wrote', pats.length, 'patterns');
}

(async () => {
  if (process.argv[2] === 'unicode') return unicodeProbe(process.argv[3]);
  if (process.argv[2] === 'regex') return regexGoldens();
  const out = [];
  for (const vr of variants) {
    const json = Object.assign(vr.base ? base(vr.base) : { version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null }, vr.override);
    let tok;
    try {
      tok = Tokenizer.fromString(JSON.stringify(json));
    } catch (e) {
      console.error(`${vr.name}: ${e.message}`);
      process.exitCode = 1;
      continue;
    }
    const cs = [];
    for (const s of cases) {
      const plain = await tok.encode(s, null, { addSpecialTokens: false });
      const spec = await tok.encode(s, null, { addSpecialTokens: true });
      const ids = spec.getIds();
      const c = { ids: plain.getIds(), ids_special: ids, decode: await tok.decode(ids, false) };
      const skip = await tok.decode(ids, true);
      if (skip !== c.decode) c.decode_skip = skip; // absent: same as decode
      cs.push(c);
    }
    out.push({ name: vr.name, base: vr.base, override: vr.override, cases: cs });
    console.log(`${vr.name}: ${cs.length} cases`);
  }
  const version = require('tokenizers/package.json').version;
  const data = JSON.stringify({ tokenizers_version: version + ' (node binding)', corpus_cases: cases.length, variants: out });
  fs.writeFileSync(path.join(TD, 'components.json.gz'), zlib.gzipSync(data, { level: 9 }));
  console.log(`wrote ${out.length} variants`);
})();
