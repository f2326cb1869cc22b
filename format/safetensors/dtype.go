package safetensors

// DType is an element type exactly as spelled in a safetensors header.
type DType string

// The element types of the format. F8_E4M3 is the "fn" variant (no
// infinities, S.1111.111 is NaN) that PyTorch calls float8_e4m3fn; F8_E8M0 is
// the exponent-only scale type of the OCP microscaling formats. C64 is a pair
// of float32 (complex64) and has no float32 decoding.
const (
	BOOL    DType = "BOOL"
	U8      DType = "U8"
	I8      DType = "I8"
	F8_E5M2 DType = "F8_E5M2"
	F8_E4M3 DType = "F8_E4M3"
	F8_E8M0 DType = "F8_E8M0"
	I16     DType = "I16"
	U16     DType = "U16"
	F16     DType = "F16"
	BF16    DType = "BF16"
	I32     DType = "I32"
	U32     DType = "U32"
	F32     DType = "F32"
	C64     DType = "C64"
	F64     DType = "F64"
	I64     DType = "I64"
	U64     DType = "U64"
)

// Size is the number of bytes of one element, or 0 for a dtype this package
// does not know. The sub-byte types of the format (F4, F6_E2M3, F6_E3M2) are
// deliberately unknown: their rows do not fall on byte boundaries.
func (d DType) Size() int {
	switch d {
	case BOOL, U8, I8, F8_E5M2, F8_E4M3, F8_E8M0:
		return 1
	case I16, U16, F16, BF16:
		return 2
	case I32, U32, F32:
		return 4
	case C64, F64, I64, U64:
		return 8
	}
	return 0
}

// IsFloat reports whether DecodeFloat32 accepts the dtype.
func (d DType) IsFloat() bool {
	switch d {
	case F64, F32, F16, BF16, F8_E4M3, F8_E5M2, F8_E8M0:
		return true
	}
	return false
}

// numBytes is the byte length of a tensor of the given shape, or ok=false
// when a dimension is negative or the product passes limit. Checking against
// the limit at every step keeps a hostile shape from overflowing int64.
func numBytes(d DType, shape []int64, limit int64) (n int64, ok bool) {
	n = int64(d.Size())
	for _, dim := range shape {
		if dim < 0 {
			return 0, false
		}
		if dim == 0 {
			n = 0
		}
	}
	if n == 0 {
		return 0, true
	}
	for _, dim := range shape {
		if n > limit/dim {
			return 0, false
		}
		n *= dim
	}
	return n, n <= limit
}
