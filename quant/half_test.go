package quant

import (
	"encoding/binary"
	"math"
	"testing"
)

type halfFixture struct {
	f16ToF32       []float32 // ggml_fp16_to_fp32_row over all 65536 inputs
	bf16ToF32Hash  uint64    // FNV-1a of ggml_bf16_to_fp32_row over all 65536 inputs
	in             []uint32  // tricky float32 bit patterns
	f16, bf16, bfr []uint16  // ggml_fp32_to_fp16_row, _to_bf16_row, _to_bf16_row_ref of in
	sweepCount     uint32
	sweepHash      [3]uint64 // the same three conversions over the sweep, hashed
}

func loadHalfFixture(t testing.TB) halfFixture {
	f := &fixtureReader{t, "half.bin.gz", readGz(t, "half.bin.gz")}
	if magic := string(f.bytes(4)); magic != "GGHF" || f.u32() != 1 {
		t.Fatalf("half.bin.gz: bad header")
	}
	var h halfFixture
	h.f16ToF32 = f.f32s(1 << 16)
	h.bf16ToF32Hash = f.u64()
	n := int(f.u32())
	in := f.bytes(4 * n)
	h.in = make([]uint32, n)
	for i := range h.in {
		h.in[i] = binary.LittleEndian.Uint32(in[4*i:])
	}
	h.f16, h.bf16, h.bfr = f.u16s(n), f.u16s(n), f.u16s(n)
	h.sweepCount = f.u32()
	for i := range h.sweepHash {
		h.sweepHash[i] = f.u64()
	}
	return h
}

// fnv1a hashes as the generator does: FNV-1a 64 over little-endian bytes.
type fnv1a uint64

func newFNV() fnv1a { return 0xcbf29ce484222325 }

func (h *fnv1a) u16(v uint16) {
	h.byte(byte(v))
	h.byte(byte(v >> 8))
}

func (h *fnv1a) u32(v uint32) {
	h.u16(uint16(v))
	h.u16(uint16(v >> 16))
}

func (h *fnv1a) byte(b byte) { *h = (*h ^ fnv1a(b)) * 0x100000001b3 }

func TestF16ToF32AllValues(t *testing.T) {
	h := loadHalfFixture(t)
	for i, want := range h.f16ToF32 {
		if got := F16ToF32(uint16(i)); math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("F16ToF32(%#04x) = %#08x, want %#08x", i, math.Float32bits(got), math.Float32bits(want))
		}
	}
	sum := newFNV()
	for i := 0; i < 1<<16; i++ {
		sum.u32(math.Float32bits(BF16ToF32(uint16(i))))
	}
	if uint64(sum) != h.bf16ToF32Hash {
		t.Errorf("BF16ToF32 over all inputs: hash %#x, want %#x", uint64(sum), h.bf16ToF32Hash)
	}
}

func TestF32ToHalfTricky(t *testing.T) {
	h := loadHalfFixture(t)
	bad := 0
	for i, bits := range h.in {
		f := math.Float32frombits(bits)
		if got := F32ToF16(f); got != h.f16[i] {
			t.Errorf("F32ToF16(%#08x) = %#04x, want %#04x", bits, got, h.f16[i])
			bad++
		}
		if h.bf16[i] != h.bfr[i] {
			t.Fatalf("ggml's bf16 row and row_ref disagree at %#08x", bits)
		}
		if got := F32ToBF16(f); got != h.bf16[i] {
			t.Errorf("F32ToBF16(%#08x) = %#04x, want %#04x", bits, got, h.bf16[i])
			bad++
		}
		if bad > 20 {
			t.Fatal("too many mismatches")
		}
	}
}

// TestF32ToHalfSweep covers 2^24 float32 bit patterns spread evenly over
// all 2^32 (an odd multiplier permutes them), against hashes of ggml's
// output.
func TestF32ToHalfSweep(t *testing.T) {
	h := loadHalfFixture(t)
	s16, sbf := newFNV(), newFNV()
	for i := uint32(0); i < h.sweepCount; i++ {
		f := math.Float32frombits(i*0x9E3779B1 + 0x1234567)
		s16.u16(F32ToF16(f))
		sbf.u16(F32ToBF16(f))
	}
	if uint64(s16) != h.sweepHash[0] {
		t.Errorf("F32ToF16 sweep hash %#x, want %#x", uint64(s16), h.sweepHash[0])
	}
	if uint64(sbf) != h.sweepHash[1] || uint64(sbf) != h.sweepHash[2] {
		t.Errorf("F32ToBF16 sweep hash %#x, want %#x (row) and %#x (row_ref)", uint64(sbf), h.sweepHash[1], h.sweepHash[2])
	}
}

// TestHalfRoundTrip: every finite f16 survives F32 and back unchanged.
func TestHalfRoundTrip(t *testing.T) {
	for i := 0; i < 1<<16; i++ {
		h := uint16(i)
		if h&0x7c00 == 0x7c00 && h&0x3ff != 0 {
			continue // NaN payloads are canonicalised
		}
		if got := F32ToF16(F16ToF32(h)); got != h {
			t.Errorf("F32ToF16(F16ToF32(%#04x)) = %#04x", h, got)
		}
		if got := F32ToBF16(BF16ToF32(h)); got != h && !(h&0x7f80 == 0x7f80 && h&0x7f != 0) {
			t.Errorf("F32ToBF16(BF16ToF32(%#04x)) = %#04x", h, got)
		}
	}
}
