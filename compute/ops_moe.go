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
