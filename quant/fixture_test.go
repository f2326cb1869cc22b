package quant

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// The fixtures under testdata/quant were written by ggml itself; see
// testdata/quant/README.md for how.

const (
	caseSrc   = 1  // source floats present
	caseChunk = 2  // ggml_quantize_chunk's bytes present
	caseRef   = 4  // quantize_row_*_ref's bytes present
	caseDeq   = 8  // ggml's dequantization present
	caseRaw   = 16 // random block bytes instead of a quantization
	caseGen   = 32 // regenerated from a stored seed: the source (bulkRows) or, with caseRaw, the blocks (randomBlocks)
	caseImat  = 64 // encoded with an importance matrix, regenerated after the source
)

type quantCase struct {
	nPerRow, nRows int
	flags          uint32
	src            []float32
	imatrix        []float32 // nPerRow weights (caseImat)
	chunk, ref     []byte    // ggml's encodings (nil when absent)
	raw            []byte    // random blocks (caseRaw)
	deq            []float32
	deqHash        uint64 // FNV-1a of ggml's decoding of raw, when deq is not stored
}

type quantFixture struct {
	typ   Type
	cases []quantCase
}

func readGz(t testing.TB, name string) *bytes.Reader {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "quant", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return bytes.NewReader(b)
}

type fixtureReader struct {
	t    testing.TB
	name string
	r    *bytes.Reader
}

func (f *fixtureReader) bytes(n int) []byte {
	b := make([]byte, n)
	if _, err := io.ReadFull(f.r, b); err != nil {
		f.t.Fatalf("%s: truncated: %v", f.name, err)
	}
	return b
}

func (f *fixtureReader) u32() uint32 { return binary.LittleEndian.Uint32(f.bytes(4)) }
func (f *fixtureReader) u64() uint64 { return binary.LittleEndian.Uint64(f.bytes(8)) }

func (f *fixtureReader) f32s(n int) []float32 {
	b := f.bytes(4 * n)
	v := make([]float32, n)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

func (f *fixtureReader) u16s(n int) []uint16 {
	b := f.bytes(2 * n)
	v := make([]uint16, n)
	for i := range v {
		v[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return v
}

func loadQuantFixture(t testing.TB, name string) quantFixture {
	f := &fixtureReader{t, name, readGz(t, name)}
	if magic := string(f.bytes(4)); magic != "GGQF" {
		t.Fatalf("%s: bad magic %q", name, magic)
	}
	if v := f.u32(); v != 1 {
		t.Fatalf("%s: version %d", name, v)
	}
	fx := quantFixture{typ: Type(f.u32())}
	n := int(f.u32())
	for i := 0; i < n; i++ {
		c := quantCase{nPerRow: int(f.u32()), nRows: int(f.u32()), flags: f.u32()}
		elems := c.nPerRow * c.nRows
		size := elems / fx.typ.BlockSize() * fx.typ.TypeSize()
		if c.flags&caseSrc != 0 {
			c.src = f.f32s(elems)
		}
		if c.flags&caseGen != 0 && c.flags&caseRaw != 0 {
			c.raw = randomBlocks(fx.typ, f.u64(), elems/fx.typ.BlockSize())
			c.deqHash = f.u64()
			fx.cases = append(fx.cases, c)
			continue
		}
		if c.flags&caseGen != 0 {
			c.src, c.imatrix = bulkRows(f.u64(), c.nPerRow, c.nRows, c.flags&caseImat != 0)
		}
		if c.flags&caseChunk != 0 {
			c.chunk = f.bytes(size)
		}
		if c.flags&caseRef != 0 {
			c.ref = f.bytes(size)
		}
		if c.flags&caseRaw != 0 {
			c.raw = f.bytes(size)
		}
		if c.flags&caseDeq != 0 {
			c.deq = f.f32s(elems)
		}
		fx.cases = append(fx.cases, c)
	}
	if f.r.Len() != 0 {
		t.Fatalf("%s: %d trailing bytes", name, f.r.Len())
	}
	return fx
}

// sameFloat compares bit patterns, except that any NaN matches any NaN:
// the NaN a product like 0*inf makes differs between CPUs.
func sameFloat(a, b float32) bool {
	if a != a && b != b {
		return true
	}
	return math.Float32bits(a) == math.Float32bits(b)
}

func firstFloatDiff(got, want []float32) string {
	for i := range want {
		if !sameFloat(got[i], want[i]) {
			return fmt.Sprintf("element %d: got %g (%#08x), want %g (%#08x)", i,
				got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
	return ""
}

func firstByteDiff(got, want []byte, blockBytes int) string {
	for i := range want {
		if got[i] != want[i] {
			return fmt.Sprintf("byte %d (block %d, offset %d): got %#02x, want %#02x",
				i, i/blockBytes, i%blockBytes, got[i], want[i])
		}
	}
	return ""
}

// splitmix64 is the generator's PRNG.
type splitmix64 uint64

func (s *splitmix64) next() uint64 {
	*s += 0x9E3779B97F4A7C15
	z := uint64(*s)
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// randomBlocks rebuilds the generator's random blocks: every byte from the
// PRNG, then scale fields that could be inf/NaN replaced by finite values
// (f16 fields: next%0x7800; Q8_K's f32: 0x30000000 + next%0x10000000;
// IQ1_M: bit 14 of its assembled f16 cleared; MXFP4: e = next%0xf0).
func randomBlocks(t Type, seed uint64, nblocks int) []byte {
	rng := splitmix64(seed)
	ts := t.TypeSize()
	q := make([]byte, ts*nblocks)
	for b := 0; b < nblocks; b++ {
		blk := q[b*ts : (b+1)*ts]
		for i := range blk {
			blk[i] = byte(rng.next())
		}
		switch t {
		case Q8_K:
			binary.LittleEndian.PutUint32(blk, 0x30000000+uint32(rng.next()%0x10000000))
		case IQ1_M:
			blk[55] &^= 0x40
		case MXFP4:
			blk[0] = byte(rng.next() % 0xf0)
		default:
			for _, off := range f16ScaleOffsets[t] {
				binary.LittleEndian.PutUint16(blk[off:], uint16(rng.next()%0x7800))
			}
		}
	}
	return q
}

func hashFloats(x []float32) uint64 {
	h := newFNV()
	for _, v := range x {
		h.u32(math.Float32bits(v))
	}
	return uint64(h)
}

// bulkRows regenerates the generator's bulk rows: splitmix64 uniforms in
// [0,1), the sum of four minus two (cubed on every fifth row), times a
// power of two, rounded once to float32. Every step is exact IEEE double
// arithmetic, so Go and C agree bit for bit. The importance matrix, when
// asked for, continues the same stream: u*v*4 + 0.001 per column, with
// every 37th column 0.
func bulkRows(seed uint64, nPerRow, nRows int, withImatrix bool) (x, imatrix []float32) {
	rng := splitmix64(seed)
	unif := func() float64 { return float64(rng.next()>>11) * (1.0 / 9007199254740992.0) }
	x = make([]float32, nPerRow*nRows)
	for r := 0; r < nRows; r++ {
		for i := 0; i < nPerRow; i++ {
			s := unif() + unif() + unif() + unif() - 2.0
			if r%5 == 4 {
				s = s * s * s
			}
			x[r*nPerRow+i] = float32(s * math.Ldexp(1, r%9-6))
		}
	}
	if !withImatrix {
		return x, nil
	}
	imatrix = make([]float32, nPerRow)
	for i := range imatrix {
		u, v := unif(), unif()
		if i%37 != 0 {
			imatrix[i] = float32(float64(u*v*4.0) + 0.001) // no FMA: C rounds the product
		}
	}
	return x, imatrix
}
