package safetensors

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// The references below compute values from the format definitions with
// math.Ldexp in float64, independently of the bit manipulation under test.

func refMinifloat(bits uint32, expBits, manBits uint, bias int, ieeeSpecials bool) float64 {
	sign := 1.0
	if bits>>(expBits+manBits)&1 == 1 {
		sign = -1
	}
	e := int(bits>>manBits) & (1<<expBits - 1)
	m := int(bits) & (1<<manBits - 1)
	if ieeeSpecials && e == 1<<expBits-1 {
		if m == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	if e == 0 {
		return sign * math.Ldexp(float64(m), 1-bias-int(manBits))
	}
	return sign * math.Ldexp(float64(m+1<<manBits), e-bias-int(manBits))
}

func sameFloat(got float32, want float64) bool {
	if math.IsNaN(want) {
		return got != got
	}
	// Bit comparison so that -0 and +0 differ.
	return math.Float32bits(got) == math.Float32bits(float32(want))
}

func TestFloat16ToFloat32AllValues(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		want := refMinifloat(uint32(h), 5, 10, 15, true)
		if got := Float16ToFloat32(uint16(h)); !sameFloat(got, want) {
			t.Fatalf("F16 %#04x: got %v want %v", h, got, want)
		}
	}
	if got := Float16ToFloat32(0x0001); got != float32(math.Ldexp(1, -24)) {
		t.Fatalf("smallest subnormal: %v", got)
	}
	if got := Float16ToFloat32(0x7bff); got != 65504 {
		t.Fatalf("max: %v", got)
	}
}

func TestBFloat16ToFloat32AllValues(t *testing.T) {
	for b := 0; b < 1<<16; b++ {
		want := refMinifloat(uint32(b), 8, 7, 127, true)
		if got := BFloat16ToFloat32(uint16(b)); !sameFloat(got, want) {
			t.Fatalf("BF16 %#04x: got %v want %v", b, got, want)
		}
	}
}

func TestFloat8AllValues(t *testing.T) {
	for b := 0; b < 256; b++ {
		want := refMinifloat(uint32(b), 5, 2, 15, true)
		if got := Float8E5M2ToFloat32(uint8(b)); !sameFloat(got, want) {
			t.Fatalf("E5M2 %#02x: got %v want %v", b, got, want)
		}
		// E4M3FN: no infinities; exponent 15 is an ordinary binade except
		// mantissa 7, which is NaN.
		want = refMinifloat(uint32(b), 4, 3, 7, false)
		if b&0x7f == 0x7f {
			want = math.NaN()
		}
		if got := Float8E4M3ToFloat32(uint8(b)); !sameFloat(got, want) {
			t.Fatalf("E4M3 %#02x: got %v want %v", b, got, want)
		}
		want = math.Ldexp(1, b-127)
		if b == 0xff {
			want = math.NaN()
		}
		if got := Float8E8M0ToFloat32(uint8(b)); !sameFloat(got, want) {
			t.Fatalf("E8M0 %#02x: got %v want %v", b, got, want)
		}
	}
	for b, want := range map[uint8]float32{0x7e: 448, 0xfe: -448, 0x01: 1.0 / 512, 0x38: 1} {
		if got := Float8E4M3ToFloat32(b); got != want {
			t.Errorf("E4M3 %#02x = %v, want %v", b, got, want)
		}
	}
	if got := Float8E5M2ToFloat32(0x7b); got != 57344 {
		t.Errorf("E5M2 max = %v", got)
	}
	if !math.IsInf(float64(Float8E5M2ToFloat32(0xfc)), -1) {
		t.Errorf("E5M2 0xfc is not -inf")
	}
}

func TestFloat32ToNarrowRoundTrip(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := Float16ToFloat32(uint16(h))
		got := Float32ToFloat16(f)
		if f != f {
			if got&0x7c00 != 0x7c00 || got&0x3ff == 0 || got&0x8000 != uint16(h)&0x8000 {
				t.Fatalf("F16 NaN %#04x came back as %#04x", h, got)
			}
			continue
		}
		if got != uint16(h) {
			t.Fatalf("F16 %#04x -> %v -> %#04x", h, f, got)
		}
	}
	for b := 0; b < 1<<16; b++ {
		f := BFloat16ToFloat32(uint16(b))
		if got := Float32ToBFloat16(f); f == f && got != uint16(b) {
			t.Fatalf("BF16 %#04x -> %v -> %#04x", b, f, got)
		}
	}
}

// nearestCheck verifies that narrow(x) is a nearest representable value,
// ties to even, by comparing exact distances to its neighbours.
func nearestCheck(t *testing.T, name string, x float32, got uint16, widen func(uint16) float32, maxFinite uint16) {
	t.Helper()
	v := func(h uint16) *big.Float { return new(big.Float).SetFloat64(float64(widen(h))) }
	dist := func(h uint16) *big.Float {
		d := new(big.Float).Sub(v(h), new(big.Float).SetFloat64(float64(x)))
		return d.Abs(d)
	}
	mag := got & 0x7fff
	if mag > maxFinite { // rounded to infinity: x must be at least max + half an ulp
		limit := new(big.Float).Add(v(maxFinite), new(big.Float).Quo(new(big.Float).Sub(v(maxFinite), v(maxFinite-1)), big.NewFloat(2)))
		ax := new(big.Float).Abs(new(big.Float).SetFloat64(float64(x)))
		if ax.Cmp(limit) < 0 {
			t.Fatalf("%s(%g) overflowed to %#04x", name, x, got)
		}
		return
	}
	// Same-sign neighbours only: values of the other sign are farther.
	sign := got & 0x8000
	for _, nb := range []uint16{mag - 1, mag + 1} {
		if mag == 0 && nb != 1 || nb > maxFinite {
			continue
		}
		c := dist(got).Cmp(dist(sign | nb))
		if c > 0 || c == 0 && got&1 == 1 {
			t.Fatalf("%s(%g) = %#04x (%g), but %#04x (%g) is nearer or an even tie",
				name, x, got, widen(got), sign|nb, widen(sign|nb))
		}
	}
}

func TestFloat32ToNarrowRounding(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var xs []float32
	for h := 0; h < 1<<16; h += 7 {
		// Exact midpoints and near-midpoints between neighbouring binary16 values.
		a, b := Float16ToFloat32(uint16(h)), Float16ToFloat32(uint16(h+1))
		if a == a && b == b && !math.IsInf(float64(b), 0) && !math.IsInf(float64(a), 0) {
			mid := float32((float64(a) + float64(b)) / 2)
			xs = append(xs, mid, math.Nextafter32(mid, 0), math.Nextafter32(mid, float32(math.Inf(1))))
		}
	}
	for range 20000 {
		xs = append(xs, math.Float32frombits(rng.Uint32()))
	}
	xs = append(xs, 65504, 65519.99, 65520, -65520, 1e-8, 2.98e-8, 2.9802322e-08, math.SmallestNonzeroFloat32, 0)
	for _, x := range xs {
		if x != x {
			continue
		}
		nearestCheck(t, "Float32ToFloat16", x, Float32ToFloat16(x), Float16ToFloat32, 0x7bff)
		nearestCheck(t, "Float32ToBFloat16", x, Float32ToBFloat16(x), BFloat16ToFloat32, 0x7f7f)
	}
	if Float32ToFloat16(float32(math.NaN()))&0x7fff <= 0x7c00 {
		t.Fatal("NaN did not stay NaN in F16")
	}
	if h := Float32ToBFloat16(math.Float32frombits(0x7f800001)); h&0x7f == 0 {
		t.Fatalf("signalling NaN became %#04x in BF16", h)
	}
}

func TestDecodeFloat32(t *testing.T) {
	cases := []struct {
		dt   DType
		src  []byte
		want []float32
	}{
		{F32, []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0}, []float32{1, -2}},
		{F64, []byte{0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0x04, 0xc0}, []float32{1, -2.5}},
		{F16, []byte{0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00}, []float32{1, -2, float32(math.Ldexp(1, -24))}},
		{BF16, []byte{0x80, 0x3f, 0x20, 0xc0}, []float32{1, -2.5}},
		{F8_E4M3, []byte{0x38, 0x7e}, []float32{1, 448}},
		{F8_E5M2, []byte{0x3c, 0xc0}, []float32{1, -2}},
		{F8_E8M0, []byte{127, 130}, []float32{1, 8}},
	}
	for _, c := range cases {
		got, err := ToFloat32(c.dt, c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.dt, err)
		}
		if len(got) != len(c.want) {
			t.Fatalf("%s: got %v want %v", c.dt, got, c.want)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Fatalf("%s: got %v want %v", c.dt, got, c.want)
			}
		}
	}
	if _, err := ToFloat32(I32, make([]byte, 4)); err == nil {
		t.Error("I32 decoded as float")
	}
	if _, err := ToFloat32(F32, make([]byte, 5)); err == nil {
		t.Error("5 bytes decoded as F32")
	}
	if err := DecodeFloat32(make([]float32, 3), F16, make([]byte, 4)); err == nil {
		t.Error("short dst accepted")
	}
}
