package quant

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Validate checks tensor data the way ggml_validate_row_data does (what
// llama.cpp's --check-tensors runs): float types must hold no NaN or
// infinity, block types no NaN or infinite scale. Other bytes of a block
// cannot be wrong. The error names the first bad element or block.
func Validate(t Type, data []byte) error {
	if !t.Known() {
		return UnsupportedError{t}
	}
	ts := t.TypeSize()
	if len(data)%ts != 0 {
		return fmt.Errorf("quant: %d bytes is not a whole number of %s blocks of %d bytes", len(data), t, ts)
	}
	n := len(data) / ts
	switch t {
	case F32:
		for i := 0; i < n; i++ {
			if err := checkF32(binary.LittleEndian.Uint32(data[4*i:])); err != "" {
				return fmt.Errorf("quant: F32 value %d is %s", i, err)
			}
		}
	case F64:
		for i := 0; i < n; i++ {
			if f := math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:])); math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("quant: F64 value %d is %v", i, f)
			}
		}
	case F16:
		for i := 0; i < n; i++ {
			if err := checkF16(binary.LittleEndian.Uint16(data[2*i:])); err != "" {
				return fmt.Errorf("quant: F16 value %d is %s", i, err)
			}
		}
	case BF16:
		for i := 0; i < n; i++ {
			if err := checkF32(uint32(binary.LittleEndian.Uint16(data[2*i:])) << 16); err != "" {
				return fmt.Errorf("quant: BF16 value %d is %s", i, err)
			}
		}
	case I8, I16, I32, I64, NVFP4:
		// every bit pattern is a valid value
	case Q8_K:
		for i := 0; i < n; i++ {
			if err := checkF32(binary.LittleEndian.Uint32(data[i*ts:])); err != "" {
				return fmt.Errorf("quant: Q8_K block %d has a scale that is %s", i, err)
			}
		}
	case MXFP4:
		for i := 0; i < n; i++ {
			if data[i*ts] == 0xff {
				return fmt.Errorf("quant: MXFP4 block %d has the invalid E8M0 scale 0xff", i)
			}
		}
	case IQ1_M:
		for i := 0; i < n; i++ {
			sc := data[i*ts+48 : i*ts+56]
			u := func(k int) uint16 { return binary.LittleEndian.Uint16(sc[2*k:]) }
			scale := u(0)>>12 | (u(1)>>8)&0x00f0 | (u(2)>>4)&0x0f00 | u(3)&0xf000
			if err := checkF16(scale); err != "" {
				return fmt.Errorf("quant: IQ1_M block %d has a scale that is %s", i, err)
			}
		}
	default:
		offsets, ok := f16ScaleOffsets[t]
		if !ok {
			return UnsupportedError{t}
		}
		for i := 0; i < n; i++ {
			for _, off := range offsets {
				if err := checkF16(binary.LittleEndian.Uint16(data[i*ts+off:])); err != "" {
					return fmt.Errorf("quant: %s block %d has a scale that is %s", t, i, err)
				}
			}
		}
	}
	return nil
}

// f16ScaleOffsets lists where each block type keeps its f16 scale (and
// min) fields, per ggml-common.h.
var f16ScaleOffsets = map[Type][]int{
	Q4_0: {0}, Q4_1: {0, 2}, Q5_0: {0}, Q5_1: {0, 2}, Q8_0: {0}, Q8_1: {0, 2},
	Q2_K: {80, 82}, Q3_K: {108}, Q4_K: {0, 2}, Q5_K: {0, 2}, Q6_K: {208},
	IQ2_XXS: {0}, IQ2_XS: {0}, IQ2_S: {0}, IQ3_XXS: {0}, IQ3_S: {0}, IQ1_S: {0},
	IQ4_NL: {0}, IQ4_XS: {0}, TQ1_0: {52}, TQ2_0: {64}, Q1_0: {0},
}

func checkF16(h uint16) string {
	switch {
	case h&0x7c00 != 0x7c00:
		return ""
	case h&0x3ff == 0:
		return "infinite"
	default:
		return "NaN"
	}
}

func checkF32(u uint32) string {
	switch {
	case u&0x7f800000 != 0x7f800000:
		return ""
	case u&0x7fffff == 0:
		return "infinite"
	default:
		return "NaN"
	}
}
