package convert

import (
	"bytes"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/model"
	_ "github.com/ferrum-go/ferrum/model/llama"
	"github.com/ferrum-go/ferrum/model/modeltest"
	"github.com/ferrum-go/ferrum/quant"
)

const fixtures = "../testdata/models"

// lastLogits loads path and returns the next-token logits after each prompt
// (the last row of modeltest's one-batch run).
func lastLogits(t *testing.T, path string, prompts [][]int32) [][]float32 {
	t.Helper()
	all := modeltest.PromptLogits(t, path, prompts)
	out := make([][]float32, len(all))
	for i, rows := range all {
		out[i] = rows[len(rows)-1]
	}
	return out
}

func referencePrompts(t *testing.T, dir string) [][]int32 {
	t.Helper()
	var ps [][]int32
	for _, c := range modeltest.LoadReference(t, dir).Cases {
		ps = append(ps, c.InputIDs)
	}
	return ps
}

func convertTo(t *testing.T, src string, ft FileType) (string, *Report) {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "out-"+ft.String()+".gguf")
	rep, err := Convert(src, dst, Options{Type: ft})
	if err != nil {
		t.Fatal(err)
	}
	return dst, rep
}

// convertF32Exact converts dir at F32 and checks the GGUF gives the
// folder's next-token logits to 1e-5 of the logit scale; it returns the
// folder's logits and the GGUF's path and report.
func convertF32Exact(t *testing.T, dir string, prompts [][]int32) ([][]float32, string, *Report) {
	t.Helper()
	want := lastLogits(t, dir, prompts)
	f32, rep := convertTo(t, dir, AllF32)
	_, _, rel := closeness(want, lastLogits(t, f32, prompts))
	t.Logf("F32: max logit error %.2g of the logit scale", rel)
	if rel > 1e-5 {
		t.Errorf("F32 GGUF differs from safetensors by %.3g of the logit scale", rel)
	}
	return want, f32, rep
}

// convertWithinKL converts dir to ft and checks the file's next-token
// distributions stay within maxKL (mean KL) of want; it returns the file's
// logits and report.
func convertWithinKL(t *testing.T, dir string, ft FileType, prompts [][]int32, want [][]float32, maxKL float64) ([][]float32, string, *Report) {
	t.Helper()
	path, rep := convertTo(t, dir, ft)
	got := lastLogits(t, path, prompts)
	top1, kl, _ := closeness(want, got)
	t.Logf("%v: top-1 agreement %.2f, mean KL %.2g", ft, top1, kl)
	if kl > maxKL {
		t.Errorf("%v: mean KL %.3g", ft, kl)
	}
	return got, path, rep
}

// closeness compares next-token distributions: the share of prompts with
// the same argmax, the mean KL(want || got), and the largest logit error
// relative to each row's logit scale.
func closeness(want, got [][]float32) (top1, meanKL, relErr float64) {
	for i := range want {
		if model.Argmax(want[i]) == model.Argmax(got[i]) {
			top1++
		}
		meanKL += modeltest.KL(want[i], got[i])
		relErr = math.Max(relErr, modeltest.RelErr(got[i:i+1], want[i:i+1]))
	}
	n := float64(len(want))
	return top1 / n, meanKL / n, relErr
}

// readGGUF opens path for the rest of the test.
func readGGUF(t *testing.T, path string) *gguf.File {
	t.Helper()
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// sameGGUF checks two GGUF files hold the same tensors, byte for byte, and
// the same metadata.
func sameGGUF(t *testing.T, a, b string) {
	t.Helper()
	fa, fb := readGGUF(t, a), readGGUF(t, b)
	if len(fa.Tensors) != len(fb.Tensors) {
		t.Fatalf("%d tensors in %s, %d in %s", len(fa.Tensors), a, len(fb.Tensors), b)
	}
	for i := range fa.Tensors {
		x, y := &fa.Tensors[i], &fb.Tensors[i]
		same := bytes.Equal(fa.Data(x), fb.Data(y))
		if x.Name != y.Name || x.Type != y.Type || !same {
			t.Errorf("tensor %d: %s %s vs %s %s (bytes equal %v)", i, x.Name, x.Type, y.Name, y.Type, same)
		}
	}
	for _, kv := range fa.Metadata.KVs() {
		if v, ok := fb.Metadata.Get(kv.Key); !ok || v.String() != kv.Value.String() {
			t.Errorf("metadata %s differs between %s and %s", kv.Key, a, b)
		}
	}
}

// inTop5 reports whether id is among the five largest logits.
func inTop5(logits []float32, id int) bool {
	above := 0
	for _, v := range logits {
		if v > logits[id] {
			above++
		}
	}
	return above < 5
}

// TestFixturesToGGUF: the fixtures converted at F32 give the safetensors
// logits; at Q8_0 the same next tokens; their headers carry what llama.cpp
// reads.
func TestFixturesToGGUF(t *testing.T) {
	for _, c := range []struct {
		name, pre, tokModel string
		keyLength           bool
	}{
		{"llama3", "llama-bpe", "gpt2", true},
		{"llama2", "default", "llama", false},
		{"qwen3", "qwen2", "gpt2", true},
		{"qwen2", "qwen2", "gpt2", false},
		{"llama_partial_rotary", "llama-bpe", "gpt2", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(fixtures, c.name)
			prompts := referencePrompts(t, dir)
			want, _, _ := convertF32Exact(t, dir, prompts)
			got, q8, rep := convertWithinKL(t, dir, Q8_0, prompts, want, 0.05)
			for i := range want {
				a, b := model.Argmax(want[i]), model.Argmax(got[i])
				if a != b && !(inTop5(got[i], a) && inTop5(want[i], b)) {
					t.Errorf("Q8_0 prompt %d: argmax %d, F32 %d, and not a near tie", i, b, a)
				}
			}
			for _, tr := range rep.Tensors {
				want := quant.Q8_0
				if nDims(tr.Dims) == 1 {
					want = quant.F32
				}
				if tr.To != want {
					t.Errorf("Q8_0: %s is %s, want %s", tr.Name, tr.To, want)
				}
			}
			checkHeader(t, q8, c.pre, c.tokModel, c.keyLength)
		})
	}
}

func checkHeader(t *testing.T, path, pre, tokModel string, keyLength bool) {
	t.Helper()
	f := readGGUF(t, path)
	md := f.Metadata
	arch, _ := md.String("general.architecture")
	str := func(k string) string { s, _ := md.String(k); return s }
	if got := str("tokenizer.ggml.pre"); got != pre {
		t.Errorf("tokenizer.ggml.pre = %q, want %q", got, pre)
	}
	if got := str("tokenizer.ggml.model"); got != tokModel {
		t.Errorf("tokenizer.ggml.model = %q, want %q", got, tokModel)
	}
	if ft, _ := md.Uint("general.file_type"); ft != uint64(Q8_0) {
		t.Errorf("general.file_type = %d, want %d", ft, Q8_0)
	}
	if v, _ := md.Uint("general.quantization_version"); v != 2 {
		t.Errorf("general.quantization_version = %d, want 2", v)
	}
	if md.Has(arch+".attention.key_length") != keyLength {
		t.Errorf("%s.attention.key_length present = %v, want %v", arch, !keyLength, keyLength)
	}
	for _, k := range []string{"general.name", arch + ".context_length", arch + ".embedding_length", arch + ".block_count",
		arch + ".feed_forward_length", arch + ".attention.head_count", arch + ".attention.head_count_kv",
		arch + ".rope.freq_base", arch + ".attention.layer_norm_rms_epsilon", "tokenizer.ggml.tokens",
		"tokenizer.ggml.token_type", "tokenizer.ggml.eos_token_id", "tokenizer.chat_template"} {
		if !md.Has(k) {
			t.Errorf("missing %s", k)
		}
	}
	n, _ := md.ArrayLen("tokenizer.ggml.tokens")
	if emb, ok := f.Tensor("token_embd.weight"); !ok || int64(n) != emb.Dims[1] {
		t.Errorf("%d tokens for an embedding of %v", n, emb.Dims)
	}
	if tokModel == "llama" && !md.Has("tokenizer.ggml.scores") || tokModel == "gpt2" && !md.Has("tokenizer.ggml.merges") {
		t.Errorf("tokenizer model %s without its scores/merges", tokModel)
	}
}

// TestKQuantMixes: a model wide enough for k-quants through the _M/_S
// mixes; the mixes' extra bits land where llama.cpp puts them and more bits
// mean a distribution closer to F32.
func TestKQuantMixes(t *testing.T) {
	dir := writeHF(t, nil, filepath.Join(fixtures, "qwen3"), 0.06)
	prompts := randomPrompts(24, 448)
	f32, _ := convertTo(t, dir, AllF32)
	want := lastLogits(t, f32, prompts)
	prevKL := math.Inf(1)
	for _, c := range []struct {
		ft      FileType
		minTop1 float64
		maxKL   float64
	}{
		// Bounds are the measured values (0.46/0.47, 0.62/0.18, 0.79/0.06,
		// 0.96/0.018, 0.88/0.0033) with room: random weights over a flat
		// 448-token distribution are harder than trained ones.
		{Q3_K_M, 0.3, 1.0}, {Q4_K_M, 0.45, 0.4}, {Q5_K_M, 0.6, 0.15}, {Q6_K, 0.8, 0.05}, {Q8_0, 0.75, 0.01},
	} {
		path, rep := convertTo(t, dir, c.ft)
		top1, kl, _ := closeness(want, lastLogits(t, path, prompts))
		t.Logf("%v: %s, top-1 agreement %.2f, mean KL %.3g", c.ft, typeMix(rep), top1, kl)
		if top1 < c.minTop1 || kl > c.maxKL {
			t.Errorf("%v: top-1 agreement %.2f (min %.2f), mean KL %.3g (max %.3g)", c.ft, top1, c.minTop1, kl, c.maxKL)
		}
		if kl > prevKL {
			t.Errorf("%v: mean KL %.3g exceeds the previous (fewer bits) type's %.3g", c.ft, kl, prevKL)
		}
		prevKL = kl
	}
	// Q4_K_M on 4 layers: attn_v and ffn_down of layers 2 and 3 get Q6_K
	// (use_more_bits), the tied embedding Q6_K, the rest Q4_K.
	rep, err := Plan(dir, Options{Type: Q4_K_M})
	if err != nil {
		t.Fatal(err)
	}
	want6 := map[string]bool{"token_embd.weight": true}
	for _, l := range []string{"2", "3"} {
		want6["blk."+l+".attn_v.weight"], want6["blk."+l+".ffn_down.weight"] = true, true
	}
	for _, tr := range rep.Tensors {
		exp := quant.Q4_K
		switch {
		case nDims(tr.Dims) == 1:
			exp = quant.F32
		case want6[tr.Name]:
			exp = quant.Q6_K
		}
		if tr.To != exp {
			t.Errorf("Q4_K_M: %s is %s, want %s", tr.Name, tr.To, exp)
		}
	}
}

// randomPrompts makes n prompts of 1 to 40 tokens, the same every run.
func randomPrompts(n, vocab int) [][]int32 {
	rng := rand.New(rand.NewPCG(11, 12))
	ps := make([][]int32, n)
	for i := range ps {
		ps[i] = modeltest.RandomPrompt(rng, 1+rng.IntN(40), vocab)
	}
	return ps
}

func typeMix(rep *Report) string {
	n := map[quant.Type]int{}
	for _, tr := range rep.Tensors {
		n[tr.To]++
	}
	var parts []string
	for _, ty := range []quant.Type{quant.F32, quant.Q8_0, quant.Q6_K, quant.Q5_K, quant.Q4_K, quant.Q3_K, quant.Q5_0, quant.Q5_1, quant.Q4_0} {
		if n[ty] > 0 {
			parts = append(parts, ty.String()+"×"+strconv.Itoa(n[ty]))
		}
	}
	return strings.Join(parts, " ")
}

// TestRequantizeMatchesDirect: HF -> F32 GGUF -> Q4_K_M gives the bytes of
// HF -> Q4_K_M, and a quantized GGUF requantizes to a loadable file.
func TestRequantizeMatchesDirect(t *testing.T) {
	dir := writeHF(t, map[string]any{"num_hidden_layers": 3, "tie_word_embeddings": false}, filepath.Join(fixtures, "qwen3"), 0.06)
	direct, _ := convertTo(t, dir, Q4_K_M)
	f32, _ := convertTo(t, dir, AllF32)
	requant, _ := convertTo(t, f32, Q4_K_M)
	sameGGUF(t, direct, requant)
	// A quantized source requantizes (dequantize, then quantize).
	q4, rep := convertTo(t, direct, Q8_0)
	if rep.Tensors[0].From == quant.F32 && rep.Tensors[1].From == quant.F32 {
		t.Logf("types: %s", typeMix(rep))
	}
	prompts := randomPrompts(8, 448)
	top1, kl, _ := closeness(lastLogits(t, direct, prompts), lastLogits(t, q4, prompts))
	if top1 < 1 || kl > 0.01 {
		t.Errorf("Q4_K_M -> Q8_0: top-1 agreement %.2f, mean KL %.3g against the Q4_K_M source", top1, kl)
	}
}

// TestHalfPrecisionFixtures: BF16 and F16 checkpoints written as BF16/F16
// GGUFs keep their weights bit for bit (norms become F32, exactly), so the
// logits match the safetensors model's to float rounding.
func TestHalfPrecisionFixtures(t *testing.T) {
	for _, c := range []struct {
		name string
		ft   FileType
		typ  quant.Type
	}{{"llama3_bf16", BF16, quant.BF16}, {"qwen2_f16", F16, quant.F16}} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(fixtures, c.name)
			prompts := referencePrompts(t, dir)
			path, rep := convertTo(t, dir, c.ft)
			for _, tr := range rep.Tensors {
				if nDims(tr.Dims) == 2 && (tr.From != c.typ || tr.To != c.typ) {
					t.Errorf("%s: %s -> %s, want %s kept", tr.Name, tr.From, tr.To, c.typ)
				}
			}
			_, _, rel := closeness(lastLogits(t, dir, prompts), lastLogits(t, path, prompts))
			if rel > 1e-5 { // llama q/k rows rotate as adjacent pairs: same math, other rounding
				t.Errorf("%v GGUF differs from safetensors by %.3g of the logit scale", c.ft, rel)
			}
		})
	}
}
