package cpu

// AVX-512 activation kernels (act_fn_amd64.s): n must be a multiple of 16;
// d may be x.

//go:noescape
func geluAVX512(d, x *float32, n int)

//go:noescape
func geluTanhAVX512(d, x *float32, n int)

//go:noescape
func tanhAVX512(d, x *float32, n int)

//go:noescape
func siluAVX512(d, x *float32, n int)

const (
	actGELU = iota
	actGELUTanh
	actTanh
	actSiLU
)

func init() {
	if !hasAVX512 {
		return
	}
	geluF32 = func(d, x []float32) { act512(actGELU, d, x) }
	geluTanhF32 = func(d, x []float32) { act512(actGELUTanh, d, x) }
	tanhF32 = func(d, x []float32) { act512(actTanh, d, x) }
	siluF32 = func(d, x []float32) { act512(actSiLU, d, x) }
}

func act512Call(op int, d, x *float32, n int) {
	switch op {
	case actGELU:
		geluAVX512(d, x, n)
	case actGELUTanh:
		geluTanhAVX512(d, x, n)
	case actTanh:
		tanhAVX512(d, x, n)
	case actSiLU:
		siluAVX512(d, x, n)
	}
}

// act512 runs whole vectors in place and the last n%16 values through a
// stack buffer, so a value's result does not depend on its position.
func act512(op int, d, x []float32) {
	x = x[:len(d)]
	n := len(d) &^ 15
	if n > 0 {
		act512Call(op, &d[0], &x[0], n)
	}
	if n < len(d) {
		var buf [16]float32
		copy(buf[:], x[n:])
		act512Call(op, &buf[0], &buf[0], 16)
		copy(d[n:], buf[:len(d)-n])
	}
}
