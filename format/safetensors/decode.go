package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
)

// DecodeFloat32 widens little-endian elements of a float dtype into dst,
// which must hold exactly len(src)/dt.Size() values. F64 rounds to nearest;
// every other float dtype converts exactly.
func DecodeFloat32(dst []float32, dt DType, src []byte) error {
	if !dt.IsFloat() {
		return fmt.Errorf("dtype %s is not a float type", dt)
	}
	size := dt.Size()
	if len(src)%size != 0 || len(src)/size != len(dst) {
		return fmt.Errorf("%d bytes of %s do not make %d values", len(src), dt, len(dst))
	}
	switch dt {
	case F32:
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
	case F64:
		for i := range dst {
			dst[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:])))
		}
	case F16:
		for i := range dst {
			dst[i] = Float16ToFloat32(binary.LittleEndian.Uint16(src[2*i:]))
		}
	case BF16:
		for i := range dst {
			dst[i] = BFloat16ToFloat32(binary.LittleEndian.Uint16(src[2*i:]))
		}
	case F8_E4M3:
		for i, b := range src {
			dst[i] = Float8E4M3ToFloat32(b)
		}
	case F8_E5M2:
		for i, b := range src {
			dst[i] = Float8E5M2ToFloat32(b)
		}
	case F8_E8M0:
		for i, b := range src {
			dst[i] = Float8E8M0ToFloat32(b)
		}
	}
	return nil
}

// ToFloat32 is DecodeFloat32 into a new slice.
func ToFloat32(dt DType, src []byte) ([]float32, error) {
	if !dt.IsFloat() {
		return nil, fmt.Errorf("dtype %s is not a float type", dt)
	}
	if len(src)%dt.Size() != 0 {
		return nil, fmt.Errorf("%d bytes is not a whole number of %s values", len(src), dt)
	}
	dst := make([]float32, len(src)/dt.Size())
	return dst, DecodeFloat32(dst, dt, src)
}
