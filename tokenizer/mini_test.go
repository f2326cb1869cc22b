package tokenizer

import "testing"

// Tiny hand-written tokenizer.json files for unit tests and fuzz seeds.

const miniBPE = `{
 "added_tokens": [{"id": 7, "content": "<s>", "special": true}],
 "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Lowercase"}]},
 "pre_tokenizer": {"type": "Whitespace"},
 "post_processor": {"type": "TemplateProcessing", "single": ["<s>", "$A"], "special_tokens": {"<s>": {"id": "<s>", "ids": [7]}}},
 "decoder": {"type": "BPEDecoder", "suffix": "</w>"},
 "model": {"type": "BPE", "unk_token": "<unk>", "end_of_word_suffix": "</w>",
   "vocab": {"<unk>": 0, "a": 1, "b": 2, "a</w>": 3, "b</w>": 4, "ab</w>": 5, "ab": 6},
   "merges": ["a b</w>", "a b"]}
}`

const miniWordPiece = `{
 "normalizer": {"type": "BertNormalizer", "lowercase": true},
 "pre_tokenizer": {"type": "BertPreTokenizer"},
 "post_processor": {"type": "RobertaProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
 "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
 "model": {"type": "WordPiece", "unk_token": "[UNK]", "max_input_chars_per_word": 10,
   "vocab": {"[UNK]": 0, "un": 1, "[CLS]": 2, "[SEP]": 3, "##aff": 4, "##able": 5, "aff": 6, ".": 7, "a": 8}}
}`

const miniUnigram = `{
 "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true},
 "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always"},
 "model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0], ["▁", -2], ["▁a", -1.5], ["b", -2], ["ab", -2.5], ["▁ab", -6], ["a", -3]]}
}`

func mustLoad(t testing.TB, js string) *Tokenizer {
	t.Helper()
	tk, err := FromJSON([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return tk
}
