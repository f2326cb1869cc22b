package computetest

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/ref"
	"github.com/ferrum-go/ferrum/quant"
)

// MoEFFNCase is one shape and weight typing of the fused MoE op.
type MoEFFNCase struct {
	Name                 string
	Hidden, Inter        int
	Experts, TopK, Rows  int
	Gate, Up, Down       quant.Type
	MixedExpert          quant.Type // if set, expert 1's down has this type instead
	EveryRowToExpertZero bool       // expert 0 sees every row (a prefill's hot expert)
}

// MoEFFNCases cover decode (one row) and batches, integer-kernel and float
// weights, k-quant gate/up with a Q6_K down (Q4_K_M's mix), widths that
// are not a multiple of the kernels' 4 rows, experts of mixed types, and
// an expert that sees every row of a batch.
var MoEFFNCases = []MoEFFNCase{
	{Name: "decode-q8_0", Hidden: 256, Inter: 96, Experts: 8, TopK: 3, Rows: 1, Gate: quant.Q8_0, Up: quant.Q8_0, Down: quant.Q8_0},
	{Name: "batch-q8_0", Hidden: 256, Inter: 96, Experts: 8, TopK: 3, Rows: 7, Gate: quant.Q8_0, Up: quant.Q8_0, Down: quant.Q8_0},
	{Name: "batch-q4_k-q6_k", Hidden: 256, Inter: 256, Experts: 6, TopK: 2, Rows: 5, Gate: quant.Q4_K, Up: quant.Q4_K, Down: quant.Q6_K},
	{Name: "batch-f32-odd", Hidden: 40, Inter: 26, Experts: 5, TopK: 2, Rows: 6, Gate: quant.F32, Up: quant.F32, Down: quant.F32},
	{Name: "decode-bf16", Hidden: 64, Inter: 48, Experts: 4, TopK: 2, Rows: 1, Gate: quant.BF16, Up: quant.BF16, Down: quant.BF16},
	{Name: "q4_0-dequant-down", Hidden: 64, Inter: 40, Experts: 4, TopK: 2, Rows: 3, Gate: quant.Q4_0, Up: quant.Q4_0, Down: quant.F16},
	{Name: "mixed-types", Hidden: 64, Inter: 32, Experts: 4, TopK: 2, Rows: 4, Gate: quant.Q8_0, Up: quant.Q8_0, Down: quant.Q8_0, MixedExpert: quant.F32},
	{Name: "hot-expert", Hidden: 256, Inter: 64, Experts: 4, TopK: 2, Rows: 40, Gate: quant.Q8_0, Up: quant.Q8_0, Down: quant.Q8_0, EveryRowToExpertZero: true},
}

// MoEFFNInput is a built case: the backend's weights, their decoded
// values, the input rows and a routing.
type MoEFFNInput struct {
	C              MoEFFNCase
	Experts        []compute.Expert
	Gate, Up, Down [][]float32 // decoded weights per expert
	X              []float32
	RowsOf         [][]int32
	Scales         [][]float32
}

// BuildMoEFFN makes case c's weights on be and a routing of its rows: each
// row picks TopK distinct experts with positive weights.
func BuildMoEFFN(t testing.TB, be compute.Backend, c MoEFFNCase, seed uint64) *MoEFFNInput {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	in := &MoEFFNInput{C: c}
	weight := func(typ quant.Type, rows, cols int) (compute.Tensor, []float32) {
		w, dec, err := QuantizedWeight(be, typ, rows, cols, Random(rng, rows*cols, 0.5))
		if err != nil {
			t.Fatalf("%s: %v weight: %v", c.Name, typ, err)
		}
		return w, dec
	}
	for e := 0; e < c.Experts; e++ {
		dt := c.Down
		if e == 1 && c.MixedExpert != 0 {
			dt = c.MixedExpert
		}
		g, gd := weight(c.Gate, c.Inter, c.Hidden)
		u, ud := weight(c.Up, c.Inter, c.Hidden)
		d, dd := weight(dt, c.Hidden, c.Inter)
		in.Experts = append(in.Experts, compute.Expert{Gate: g, Up: u, Down: d})
		in.Gate, in.Up, in.Down = append(in.Gate, gd), append(in.Up, ud), append(in.Down, dd)
	}
	in.X = Random(rng, c.Rows*c.Hidden, 1)
	in.RowsOf = make([][]int32, c.Experts)
	in.Scales = make([][]float32, c.Experts)
	for r := 0; r < c.Rows; r++ {
		chosen := rng.Perm(c.Experts)[:c.TopK]
		if c.EveryRowToExpertZero && !contains(chosen, 0) {
			chosen[0] = 0
		}
		for _, e := range chosen {
			in.RowsOf[e] = append(in.RowsOf[e], int32(r))
			in.Scales[e] = append(in.Scales[e], 0.1+rng.Float32())
		}
	}
	return in
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Want is compute/ref's result for the input.
func (in *MoEFFNInput) Want() []float32 {
	return ref.MoEFFN(in.X, in.C.Hidden, in.C.Inter, in.Gate, in.Up, in.Down, in.RowsOf, in.Scales)
}

// Run calls be's MoEFFN on the input and returns dst.
func (in *MoEFFNInput) Run(be compute.Backend) []float32 {
	dst := be.Alloc(in.C.Rows, in.C.Hidden)
	be.(compute.MoEFFNBackend).MoEFFN(dst, be.Upload(in.C.Rows, in.C.Hidden, in.X), in.Experts, in.RowsOf, in.Scales)
	return download(be, dst)
}

// MoEFFN checks be's fused MoE op against compute/ref on every case,
// within tol of the result's scale.
func MoEFFN(t *testing.T, be compute.Backend, tol float64) {
	for i, c := range MoEFFNCases {
		in := BuildMoEFFN(t, be, c, uint64(i))
		check(t, fmt.Sprintf("MoEFFN %s", c.Name), in.Run(be), in.Want(), tol)
	}
}
