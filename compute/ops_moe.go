package compute

// MoEBackend is the op a mixture-of-experts layer adds to Backend: the
// combine step that folds each expert's output rows back into the tokens
// they came from. (Gathering a token's rows for an expert is Embed over an
// F32 tensor; the experts themselves are ordinary MatMuls.) It is a separate
// interface so backends grow it without touching Backend; model code asserts
// it and reports a backend that lacks it.
type MoEBackend interface {
	// AddScaledRows adds scales[i] * src row i to dst row rows[i], for every
	// i. rows holds no duplicates (one expert sees a token at most once),
	// so the rows may be processed in any order.
	AddScaledRows(dst, src Tensor, rows []int32, scales []float32)
}

// Expert is one SwiGLU expert's weights: Gate and Up are I x H, Down is
// H x I (the layout of MatMul's w).
type Expert struct {
	Gate, Up, Down Tensor
}

// MoEFFNBackend is the optional fused form of a SwiGLU mixture-of-experts
// feed-forward: every active expert of a layer in one op, as ggml's
// mul_mat_id does, so a backend can quantize an activation row once for
// all its experts and run the experts side by side instead of one small
// MatMul after another. Model code uses it when the backend has it and
// falls back to Embed, MatMul, SwiGLU and AddScaledRows otherwise.
type MoEFFNBackend interface {
	// MoEFFN sets row r of dst (x's rows x Cols) to the sum, over the
	// experts e in ascending order and the i with rows[e][i] == r, of
	// scales[e][i] * Down_e(silu(Gate_e x_r) * Up_e x_r); rows no expert
	// sees become zero. rows[e] holds no duplicates; len(rows) and
	// len(scales) are len(experts), and an expert with no rows is not read.
	// A row's result depends only on that row, its experts and scales,
	// never on the other rows of the call.
	MoEFFN(dst, x Tensor, experts []Expert, rows [][]int32, scales [][]float32)
}
