package cpu

import (
	"testing"
)

// BenchmarkStream compares, on one thread over 256 MiB (far beyond the
// caches), the weight bandwidth of the 1-row kernels with a plain copy and
// a plain read: how close a decode matmul comes to what memory gives.
func BenchmarkStream(b *testing.B) {
	const size = 256 << 20
	src := make([]byte, size)
	dst := make([]byte, size)
	for i := range src {
		src[i] = byte(i*7) & 0x3f
	}
	x := make([]float32, 4096)
	var acc [64]float32
	b.Run("copy", func(b *testing.B) {
		b.SetBytes(size)
		for i := 0; i < b.N; i++ {
			copy(dst, src)
		}
	})
	// Two goroutines, each copying half: what both cores together can move
	// (B/s counts bytes copied; memory traffic is twice that).
	b.Run("copy2", func(b *testing.B) {
		b.SetBytes(size)
		for i := 0; i < b.N; i++ {
			done := make(chan struct{})
			go func() {
				copy(dst[size/2:], src[size/2:])
				close(done)
			}()
			copy(dst[:size/2], src[:size/2])
			<-done
		}
	})
	if !hasAVX512 {
		return
	}
	b.Run("bf16RowX1", func(b *testing.B) {
		b.SetBytes(size)
		for i := 0; i < b.N; i++ {
			for off := 0; off < size; off += 8192 {
				bf16RowX1(&src[off], 4096, &x[0], 0, &acc)
			}
		}
	})
	if !hasVNNI {
		return
	}
	a := new(actBuf)
	a.shapeQ8(1, 4096)
	a.quantizeQ8Row(0, x, 128)
	b.Run("q8_0RowX1", func(b *testing.B) {
		b.SetBytes(size / 34 * 34)
		for i := 0; i < b.N; i++ {
			for off := 0; off+34*128 <= size; off += 34 * 128 {
				q8_0DotX1(&src[off], 64, &a.qs[0], &a.f[0], &a.i[0], (*[16]float32)(acc[:16]))
			}
		}
	})
}
