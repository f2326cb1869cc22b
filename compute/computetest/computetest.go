// Package computetest checks a compute.Backend against the plain-Go
// reference (compute/ref), op by op, in the spirit of llama.cpp's
// test-backend-ops: random inputs that are never all zero, odd shapes that
// do not divide evenly into chunks, and relative-error bounds per dtype.
// Every backend's tests call Run.
package computetest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/ref"
	"github.com/ferrum-go/ferrum/quant"
)

// Run tests every op of be against compute/ref.
func Run(t *testing.T, be compute.Backend) {
	t.Run("MatMul", func(t *testing.T) { testMatMul(t, be) })
	t.Run("Elementwise", func(t *testing.T) { testElementwise(t, be) })
	t.Run("Norms", func(t *testing.T) { testNorms(t, be) })
	t.Run("RoPE", func(t *testing.T) { testRoPE(t, be) })
	t.Run("Embed", func(t *testing.T) { testEmbed(t, be) })
	t.Run("Attention", func(t *testing.T) { testAttention(t, be) })
	if ka, ok := be.(compute.KVAllocator); ok {
		t.Run("AttentionF16KV", func(t *testing.T) { testAttentionF16(t, be, ka) })
	}
	if _, ok := be.(compute.MoEFFNBackend); ok {
		t.Run("MoEFFN", func(t *testing.T) { MoEFFN(t, be, 1e-5) })
	}
}

// WeightTypes are the weight element types MatMul and Embed are checked on.
var WeightTypes = []quant.Type{
	quant.F32, quant.F16, quant.BF16, quant.Q4_0, quant.Q4_1, quant.Q5_0, quant.Q5_1, quant.Q8_0,
	quant.Q2_K, quant.Q3_K, quant.Q4_K, quant.Q5_K, quant.Q6_K,
}

// Random returns n values in [-scale, scale), none of them all zero.
func Random(rng *rand.Rand, n int, scale float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = (rng.Float32()*2 - 1) * scale
	}
	return v
}

// RelErr is max|got-want| / max|want|: the error relative to the scale of
// the result, which is what matters for values that feed a softmax or norm.
func RelErr(got, want []float32) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var maxDiff, maxWant float64
	for i := range want {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if math.IsNaN(float64(got[i])) {
			d = math.Inf(1)
		}
		maxDiff = math.Max(maxDiff, d)
		maxWant = math.Max(maxWant, math.Abs(float64(want[i])))
	}
	if maxWant == 0 {
		return maxDiff
	}
	return maxDiff / maxWant
}

func check(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if e := RelErr(got, want); !(e <= tol) {
		t.Errorf("%s: relative error %.3g > %.3g", what, e, tol)
	}
}

func download(be compute.Backend, x compute.Tensor) []float32 {
	out := make([]float32, x.Rows()*x.Cols())
	be.Download(x, nil, out)
	return out
}

// QuantizedWeight encodes values (rows x cols) as type typ and wraps them as
// a weight of be; it also returns what the weight decodes to, the exact
// values a reference computation should use.
func QuantizedWeight(be compute.Backend, typ quant.Type, rows, cols int, values []float32) (compute.Tensor, []float32, error) {
	raw, err := quant.QuantizeRows(typ, values, cols)
	if err != nil {
		return nil, nil, err
	}
	dec := make([]float32, rows*cols)
	if err := quant.Dequantize(typ, raw, dec); err != nil {
		return nil, nil, err
	}
	w, err := be.Weight(typ, rows, cols, raw)
	return w, dec, err
}

func testMatMul(t *testing.T, be compute.Backend) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, typ := range WeightTypes {
		if !quant.CanQuantize(typ) {
			t.Logf("%v: quant cannot encode it yet; skipped", typ)
			continue
		}
		for _, sh := range [][3]int{{1, 256, 7}, {5, 512, 33}, {17, 256, 64}} {
			rows, in, out := sh[0], sh[1], sh[2]
			x := Random(rng, rows*in, 1)
			w, wdec, err := QuantizedWeight(be, typ, out, in, Random(rng, out*in, 0.5))
			if err != nil {
				t.Fatalf("%v: %v", typ, err)
			}
			dst := be.Alloc(rows, out)
			be.MatMul(dst, be.Upload(rows, in, x), w)
			check(t, fmt.Sprintf("%v %dx%dx%d", typ, rows, in, out), download(be, dst), ref.MatMul(x, rows, in, wdec, out), 1e-5)
		}
	}
}

func testElementwise(t *testing.T, be compute.Backend) {
	rng := rand.New(rand.NewPCG(3, 4))
	rows, cols := 7, 301
	a, b := Random(rng, rows*cols, 4), Random(rng, rows*cols, 4)
	ta, tb := be.Upload(rows, cols, a), be.Upload(rows, cols, b)
	dst := be.Alloc(rows, cols)

	be.Add(dst, ta, tb)
	want := make([]float32, len(a))
	for i := range a {
		want[i] = a[i] + b[i]
	}
	check(t, "Add", download(be, dst), want, 1e-7)

	be.Mul(dst, ta, tb)
	for i := range a {
		want[i] = a[i] * b[i]
	}
	check(t, "Mul", download(be, dst), want, 1e-7)

	bias := Random(rng, cols, 1)
	x := be.Upload(rows, cols, a)
	be.AddRow(x, be.Upload(1, cols, bias))
	for i := range a {
		want[i] = a[i] + bias[i%cols]
	}
	check(t, "AddRow", download(be, x), want, 1e-7)

	be.SiLU(dst, ta)
	check(t, "SiLU", download(be, dst), ref.SiLU(a), 1e-6)
	be.GELU(dst, ta)
	check(t, "GELU", download(be, dst), ref.GELU(a), 1e-6)
	be.SwiGLU(dst, ta, tb)
	check(t, "SwiGLU", download(be, dst), ref.SwiGLU(a, b), 1e-6)
	be.Softmax(dst, ta)
	check(t, "Softmax", download(be, dst), ref.Softmax(a, cols), 1e-6)
	// In place, as the ops allow.
	be.Softmax(ta, ta)
	check(t, "Softmax in place", download(be, ta), ref.Softmax(a, cols), 1e-6)
}

func testNorms(t *testing.T, be compute.Backend) {
	rng := rand.New(rand.NewPCG(5, 6))
	rows, cols := 9, 96
	x, w, b := Random(rng, rows*cols, 3), Random(rng, cols, 1), Random(rng, cols, 1)
	tx := be.Upload(rows, cols, x)
	dst := be.Alloc(rows, cols)
	be.RMSNorm(dst, tx, be.Upload(1, cols, w), 1e-6)
	check(t, "RMSNorm", download(be, dst), ref.RMSNorm(x, w, 1e-6), 1e-6)
	be.LayerNorm(dst, tx, be.Upload(1, cols, w), be.Upload(1, cols, b), 1e-5)
	check(t, "LayerNorm", download(be, dst), ref.LayerNorm(x, w, b, 1e-5), 1e-6)
	be.LayerNorm(dst, tx, be.Upload(1, cols, w), nil, 1e-5)
	check(t, "LayerNorm without bias", download(be, dst), ref.LayerNorm(x, w, nil, 1e-5), 1e-6)
}

func testRoPE(t *testing.T, be compute.Backend) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct {
		name           string
		headDim, rot   int
		neox           bool
		attnFactor     float32
		perRowSequence bool
	}{
		{"neox", 16, 16, true, 0, false},
		{"adjacent", 16, 16, false, 0, false},
		{"partial neox", 32, 8, true, 1.2, false},
		{"partial adjacent per-row", 32, 16, false, 0, true},
	} {
		rows, heads := 6, 3
		cols := heads * c.headDim
		x := Random(rng, rows*cols, 2)
		pos := []int32{0, 1, 2, 7, 100, 4095}
		inv := make([]float32, c.rot/2)
		for i := range inv {
			inv[i] = float32(math.Pow(10000, -2*float64(i)/float64(c.rot)))
		}
		p := compute.RoPEParams{HeadDim: c.headDim, RotDim: c.rot, NeoX: c.neox, InvFreq: inv, AttnFactor: c.attnFactor}
		if c.perRowSequence {
			p.PerRowInvFreq = func(r int) []float32 {
				s := make([]float32, len(inv))
				for i := range s {
					s[i] = inv[i] / float32(r+1)
				}
				return s
			}
		}
		tx := be.Upload(rows, cols, x)
		be.RoPE(tx, pos, p)
		check(t, "RoPE "+c.name, download(be, tx), ref.RoPE(x, cols, pos, p), 1e-6)
	}
}

func testEmbed(t *testing.T, be compute.Backend) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, typ := range WeightTypes {
		if !quant.CanQuantize(typ) {
			continue
		}
		vocab, cols := 11, 256
		table, dec, err := QuantizedWeight(be, typ, vocab, cols, Random(rng, vocab*cols, 1))
		if err != nil {
			t.Fatalf("%v: %v", typ, err)
		}
		ids := []int32{3, 0, 10, 3}
		dst := be.Alloc(len(ids), cols)
		be.Embed(dst, table, ids)
		check(t, "Embed "+typ.String(), download(be, dst), ref.Embed(dec, cols, ids), 0)
	}
}

func testAttention(t *testing.T, be compute.Backend) {
	rng := rand.New(rand.NewPCG(11, 12))
	const blockSize, numBlocks = 4, 16
	for _, c := range []struct {
		name                   string
		heads, kvHeads, window int
	}{
		{"MHA", 4, 4, 0}, {"GQA", 6, 2, 0}, {"MQA", 4, 1, 0}, {"GQA window", 4, 2, 5},
	} {
		hd := 8
		kvw := c.kvHeads * hd
		k := Random(rng, numBlocks*blockSize*kvw, 2)
		v := Random(rng, numBlocks*blockSize*kvw, 2)
		// Three sequences: a prefill chunk, a single decode step and a
		// chunk continuing a longer context, with scattered blocks.
		p := &compute.AttentionParams{
			Heads: c.heads, KVHeads: c.kvHeads, HeadDim: hd, Scale: 1 / float32(math.Sqrt(float64(hd))),
			Window: c.window, BlockSize: blockSize,
			Positions: []int32{0, 1, 2, 3, 4, 13, 9, 10, 11},
			Seqs: []compute.AttentionSeq{
				{FirstRow: 0, NumRows: 5, BlockTable: []int32{7, 2}},
				{FirstRow: 5, NumRows: 1, BlockTable: []int32{0, 15, 3, 9}},
				{FirstRow: 6, NumRows: 3, BlockTable: []int32{5, 11, 12}},
			},
		}
		q := Random(rng, len(p.Positions)*c.heads*hd, 2)
		dst := be.Alloc(len(p.Positions), c.heads*hd)
		nrow := numBlocks * blockSize
		be.Attention(dst, be.Upload(len(p.Positions), c.heads*hd, q), be.Upload(nrow, kvw, k), be.Upload(nrow, kvw, v), p)
		check(t, "Attention "+c.name, download(be, dst), ref.Attention(q, k, v, p), 1e-5)
	}

	// WriteKV then read back through Download.
	kp, vp := be.Alloc(8, 3), be.Alloc(8, 3)
	kv := Random(rng, 6, 1)
	be.WriteKV(kp, vp, be.Upload(2, 3, kv), be.Upload(2, 3, kv), []int32{6, 1})
	got := make([]float32, 6)
	be.Download(kp, []int{6, 1}, got)
	check(t, "WriteKV", got, kv, 0)
}
