package qwen3moe

import (
	"cmp"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/nn"
	"github.com/ferrum-go/ferrum/quant"
)

// expert is one SwiGLU MLP of a sparse layer; its matrices are views into
// the checkpoint's bytes (one tensor per expert, or a slice of a stacked
// 3-D tensor), so an expert nobody routes to is never read.
type expert struct {
	gate, up, down compute.Tensor
	bytes          int64 // weight bytes one pass over the expert reads
}

// sparseMLP is Qwen3-MoE's feed-forward: a router picks NumExpertsPerTok
// experts per token and the token's output is their weighted sum.
type sparseMLP struct {
	router  nn.Linear
	experts []expert
	topK    int
	renorm  bool // norm_topk_prob
	stats   *Stats
	// fused is the load-time backend's fused MoE op, if it has one, and
	// weights the experts in its terms. It is kept because the backend a
	// decode step passes in may be an nn.Arena, which forwards only
	// compute.Backend and compute.MoEBackend.
	fused   compute.MoEFFNBackend
	weights []compute.Expert
}

// Stats counts expert weight traffic, for benchmarks and tests: how many
// bytes of expert weights were read and how many tokens were routed.
type Stats struct {
	ExpertBytesRead atomic.Int64
	TokensRouted    atomic.Int64
}

// route returns, per expert, the rows routed to it and their weights. The
// router's probabilities come to the host: the grouping decides which
// weights are read, so it is made where the loop over experts runs. That is
// k ids and k weights per token, the MoE counterpart of downloading logits.
func (m *sparseMLP) route(be compute.Backend, x compute.Tensor) (rows [][]int32, scales [][]float32) {
	n, e := x.Rows(), len(m.experts)
	probs := m.router.Forward(be, x)
	be.Softmax(probs, probs)
	p := make([]float32, n*e)
	be.Download(probs, nil, p)

	// Each row's experts, highest probability first; equal ones by lower
	// expert id, like torch.topk on CPU (a partial selection sort: k is
	// small). Then the per-expert lists, carved from one array each.
	k := m.topK
	chosen := make([]int32, n*k)
	count := make([]int, e)
	taken := make([]bool, e)
	for r := 0; r < n; r++ {
		pr := p[r*e : (r+1)*e]
		ch := chosen[r*k : (r+1)*k]
		clear(taken)
		for j := range ch {
			best := -1
			for id := range pr {
				if !taken[id] && (best < 0 || cmp.Compare(pr[id], pr[best]) > 0) {
					best = id
				}
			}
			taken[best] = true
			ch[j] = int32(best)
			count[best]++
		}
	}
	rows = make([][]int32, e)
	scales = make([][]float32, e)
	rowBuf, scaleBuf := make([]int32, n*k), make([]float32, n*k)
	off := 0
	for id, c := range count {
		rows[id], scales[id] = rowBuf[off:off:off+c], scaleBuf[off:off:off+c]
		off += c
	}
	for r := 0; r < n; r++ {
		pr := p[r*e : (r+1)*e]
		ch := chosen[r*k : (r+1)*k]
		var sum float32
		for _, id := range ch {
			sum += pr[id]
		}
		for _, id := range ch {
			w := pr[id]
			if m.renorm {
				w /= sum
			}
			rows[id] = append(rows[id], int32(r))
			scales[id] = append(scales[id], w)
		}
	}
	return rows, scales
}

// Forward runs each expert once over all the rows routed to it (gathered
// into one matrix), in ascending expert order, and adds its weighted output
// back to those rows. A row's sum therefore runs over its experts in the
// same order whatever else is in the batch.
func (m *sparseMLP) Forward(be compute.Backend, x compute.Tensor) compute.Tensor {
	rows, scales := m.route(be, x)
	out := be.Alloc(x.Rows(), x.Cols())
	if m.fused != nil {
		m.fused.MoEFFN(out, x, m.weights, rows, scales)
	} else {
		m.perExpert(be, x, out, rows, scales)
	}
	if m.stats != nil {
		for id, rs := range rows {
			if len(rs) > 0 {
				m.stats.ExpertBytesRead.Add(m.experts[id].bytes)
			}
		}
		m.stats.TokensRouted.Add(int64(x.Rows()))
	}
	return out
}

// perExpert is Forward's expert loop on a backend without the fused op.
func (m *sparseMLP) perExpert(be compute.Backend, x, out compute.Tensor, rows [][]int32, scales [][]float32) {
	combine, ok := be.(compute.MoEBackend)
	if !ok {
		panic(fmt.Sprintf("qwen3moe: backend %s has no MoE ops", be.Name())) // checked in New
	}
	for id, rs := range rows {
		if len(rs) == 0 {
			continue
		}
		ex := &m.experts[id]
		xe := be.Alloc(len(rs), x.Cols())
		be.Embed(xe, x, rs)
		g := be.Alloc(len(rs), ex.gate.Rows())
		u := be.Alloc(len(rs), ex.up.Rows())
		be.MatMul(g, xe, ex.gate)
		be.MatMul(u, xe, ex.up)
		be.SwiGLU(g, g, u)
		d := be.Alloc(len(rs), ex.down.Rows())
		be.MatMul(d, g, ex.down)
		combine.AddScaledRows(out, d, rs, scales[id])
	}
}

// bindExperts finds layer l's experts in any of the three layouts:
//   - hub checkpoints: model.layers.L.mlp.experts.E.{gate,up,down}_proj.weight;
//   - transformers 5's in-memory fused layout (what a state_dict saved
//     without conversion holds): mlp.experts.gate_up_proj [E, 2I, H] (gate
//     rows first) and mlp.experts.down_proj [E, H, I];
//   - GGUF: blk.L.ffn_{gate,up,down}_exps.weight, [E, I, H] and [E, H, I].
func bindExperts(b *model.Binder, w model.Weights, l, n, inter, hidden int) []expert {
	if b.Has(model.LayerName(l, "mlp.experts.0.gate_proj.weight")) {
		ex := make([]expert, n)
		for e := range ex {
			p := func(proj string) string {
				return model.LayerName(l, fmt.Sprintf("mlp.experts.%d.%s_proj.weight", e, proj))
			}
			ex[e] = expert{
				gate: b.Matrix(p("gate"), inter, hidden),
				up:   b.Matrix(p("up"), inter, hidden),
				down: b.Matrix(p("down"), hidden, inter),
			}
		}
		return withBytes(ex)
	}
	type stacked struct {
		name        string
		info        model.WeightInfo
		data        []byte
		rowsPerExpt int
		cols        int
	}
	var gate, up, down stacked
	fused := model.LayerName(l, "mlp.experts.gate_up_proj")
	if info, ok := w.Info(fused); ok {
		data, err := w.Data(fused)
		if err != nil {
			b.Fail(fmt.Errorf("tensor %s: %w", fused, err))
			return nil
		}
		if !checkStacked(b, fused, info, n, 2*inter, hidden) {
			return nil
		}
		// Gate and up rows of one expert are adjacent: split each expert's
		// 2I rows as two stacks with a stride of 2I rows.
		gate = stacked{fused, info, data, 2 * inter, hidden}
		up = gate
		downName := model.LayerName(l, "mlp.experts.down_proj")
		dinfo, ok := w.Info(downName)
		if !ok {
			b.Fail(fmt.Errorf("tensor %s is missing (expected shape [%d %d %d])", downName, n, hidden, inter))
			return nil
		}
		ddata, err := w.Data(downName)
		if err != nil {
			b.Fail(fmt.Errorf("tensor %s: %w", downName, err))
			return nil
		}
		if !checkStacked(b, downName, dinfo, n, hidden, inter) {
			return nil
		}
		down = stacked{downName, dinfo, ddata, hidden, inter}
		ex := make([]expert, n)
		for e := range ex {
			ex[e] = expert{
				gate: sliceRows(b, gate.name, gate.info.Type, gate.data, e*2*inter, inter, hidden),
				up:   sliceRows(b, up.name, up.info.Type, up.data, e*2*inter+inter, inter, hidden),
				down: sliceRows(b, down.name, down.info.Type, down.data, e*hidden, hidden, inter),
			}
		}
		return withBytes(ex)
	}
	ex := make([]expert, n)
	for _, proj := range []struct {
		name      string
		rows, col int
		set       func(*expert, compute.Tensor)
	}{
		{"gate", inter, hidden, func(x *expert, t compute.Tensor) { x.gate = t }},
		{"up", inter, hidden, func(x *expert, t compute.Tensor) { x.up = t }},
		{"down", hidden, inter, func(x *expert, t compute.Tensor) { x.down = t }},
	} {
		name := model.ExpertsGGUFName(l, proj.name)
		info, data, ok := w.Extra(name)
		if !ok {
			b.Fail(fmt.Errorf("layer %d experts: none of %s, %s or %s is in the checkpoint",
				l, model.LayerName(l, "mlp.experts.0.gate_proj.weight"), fused, name))
			return nil
		}
		if !checkStacked(b, name, info, n, proj.rows, proj.col) {
			return nil
		}
		for e := range ex {
			proj.set(&ex[e], sliceRows(b, name, info.Type, data, e*proj.rows, proj.rows, proj.col))
		}
	}
	return withBytes(ex)
}

func checkStacked(b *model.Binder, name string, info model.WeightInfo, n, rows, cols int) bool {
	want := []int64{int64(n), int64(rows), int64(cols)}
	if !slices.Equal(info.Shape, want) {
		b.Fail(fmt.Errorf("tensor %s has shape %v, expected %v", name, info.Shape, want))
		return false
	}
	if !info.Type.Known() {
		b.Fail(fmt.Errorf("tensor %s has an unsupported element type", name))
		return false
	}
	return true
}

// sliceRows wraps rows [first, first+rows) of a stacked weight whose rows
// have cols elements.
func sliceRows(b *model.Binder, name string, t quant.Type, data []byte, first, rows, cols int) compute.Tensor {
	rb, err := quant.RowBytes(t, int64(cols))
	if err != nil {
		b.Fail(fmt.Errorf("tensor %s: %w", name, err))
		return nil
	}
	lo, hi := int64(first)*rb, int64(first+rows)*rb
	if hi > int64(len(data)) {
		b.Fail(fmt.Errorf("tensor %s: %d bytes, need %d", name, len(data), hi))
		return nil
	}
	tt, err := b.Backend.Weight(t, rows, cols, data[lo:hi:hi])
	if err != nil {
		b.Fail(fmt.Errorf("tensor %s: %w", name, err))
		return nil
	}
	return tt
}

func withBytes(ex []expert) []expert {
	for i := range ex {
		var n int64
		for _, t := range []compute.Tensor{ex[i].gate, ex[i].up, ex[i].down} {
			if t == nil {
				continue
			}
			rb, err := quant.RowBytes(t.DType(), int64(t.Cols()))
			if err == nil {
				n += rb * int64(t.Rows())
			}
		}
		ex[i].bytes = n
	}
	return ex
}
