package cpu

// AVX2+FMA activation kernels (act_fn_avx2_amd64.s): n must be a multiple
// of 8; d may be x.

//go:noescape
func geluAVX2(d, x *float32, n int)

//go:noescape
func geluTanhAVX2(d, x *float32, n int)

//go:noescape
func tanhAVX2(d, x *float32, n int)

//go:noescape
func siluAVX2(d, x *float32, n int)

func init() {
	if !hasAVX2 || hasAVX512 {
		return
	}
	geluF32 = func(d, x []float32) { actAVX2(actGELU, d, x) }
	geluTanhF32 = func(d, x []float32) { actAVX2(actGELUTanh, d, x) }
	tanhF32 = func(d, x []float32) { actAVX2(actTanh, d, x) }
	siluF32 = func(d, x []float32) { actAVX2(actSiLU, d, x) }
}

func actAVX2Call(op int, d, x *float32, n int) {
	switch op {
	case actGELU:
		geluAVX2(d, x, n)
	case actGELUTanh:
		geluTanhAVX2(d, x, n)
	case actTanh:
		tanhAVX2(d, x, n)
	case actSiLU:
		siluAVX2(d, x, n)
	}
}

// actAVX2 runs whole vectors in place and the last n%8 values through a
// stack buffer, so a value's result does not depend on its position.
func actAVX2(op int, d, x []float32) {
	x = x[:len(d)]
	n := len(d) &^ 7
	if n > 0 {
		actAVX2Call(op, &d[0], &x[0], n)
	}
	if n < len(d) {
		var buf [8]float32
		copy(buf[:], x[n:])
		actAVX2Call(op, &buf[0], &buf[0], 8)
		copy(d[n:], buf[:len(d)-n])
	}
}
