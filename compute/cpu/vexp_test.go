package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestVectorExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 15, 16, 17, 64, 100} {
		x := make([]float32, n)
		for i := range x {
			x[i] = (rng.Float32()*2 - 1) * 30
		}
		x[0] = -1e4 // underflows to 0
		want := append([]float32(nil), x...)
		got := append([]float32(nil), x...)
		ws := expSubGeneric(want, 3)
		gs := expSub(got, 3)
		for i := range got {
			if d := math.Abs(float64(got[i] - want[i])); d > 3e-7*math.Abs(float64(want[i])) {
				t.Fatalf("n=%d: exp(%v-3) = %v, want %v", n, x[i], got[i], want[i])
			}
		}
		if math.Abs(float64(gs-ws)) > 1e-6*math.Abs(float64(ws)) {
			t.Errorf("n=%d: sum %v, want %v", n, gs, ws)
		}
		g, u := append([]float32(nil), x...), make([]float32, n)
		for i := range u {
			u[i] = rng.Float32()*2 - 1
		}
		g[0] = 50
		d1, d2 := make([]float32, n), make([]float32, n)
		swigluGeneric(d1, g, u)
		swiglu(d2, g, u)
		for i := range d1 {
			if d := math.Abs(float64(d1[i] - d2[i])); d > 1e-6*(1+math.Abs(float64(d1[i]))) {
				t.Fatalf("n=%d: swiglu(%v, %v) = %v, want %v", n, g[i], u[i], d2[i], d1[i])
			}
		}
	}
}

func TestRMSNormRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{1, 16, 100, 1024} {
		x, w := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i], w[i] = rng.Float32()*8-4, rng.Float32()*2-1
		}
		want, got := make([]float32, n), make([]float32, n)
		rmsNormRowGeneric(want, x, w, 1e-6)
		rmsNormRow(got, x, w, 1e-6)
		for i := range got {
			if d := math.Abs(float64(got[i] - want[i])); d > 1e-6*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("n=%d: [%d] = %v, want %v", n, i, got[i], want[i])
			}
		}
	}
}

func TestQuantQ8Row(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	cols := 96
	x := make([]float32, cols)
	for i := 32; i < cols; i++ { // block 0 all zero
		x[i] = (rng.Float32()*2 - 1) * 5
	}
	a, g := new(actBuf), new(actBuf)
	a.shapeQ8(1, cols)
	g.shapeQ8(1, cols)
	quantQ8Row(a, 0, x, 8)
	quantQ8RowGeneric(g, 0, x, 8)
	for b := 0; b < cols/32; b++ {
		var s int32
		for j := 0; j < 32; j++ {
			q, want := a.qs[32*b+j], g.qs[32*b+j]
			if d := int(q) - int(want); d < -1 || d > 1 {
				t.Fatalf("block %d: q[%d] = %d, want %d", b, j, q, want)
			}
			s += int32(q)
		}
		if a.i[8*b] != -8*s || a.i[8*b+1] != 0 || a.f[8*b] != g.f[8*b] || a.f[8*b+7] != g.f[8*b] {
			t.Fatalf("block %d: cor %v scl %v, want -8*%d and %v", b, a.i[8*b:8*b+8], a.f[8*b:8*b+8], s, g.f[8*b])
		}
	}
}

func TestQuantQ8KRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	cols := 512
	x := make([]float32, cols)
	for i := 256; i < cols; i++ { // super-block 0 all zero
		x[i] = (rng.Float32()*2 - 1) * 5
	}
	a, g := new(actBuf), new(actBuf)
	a.shapeQ8K(1, cols)
	g.shapeQ8K(1, cols)
	quantQ8KRow(a, 0, x)
	quantQ8KRowGeneric(g, 0, x)
	for b := 0; b < cols/256; b++ {
		if a.f[b] != g.f[b] {
			t.Fatalf("super-block %d: d %v, want %v", b, a.f[b], g.f[b])
		}
		var s16 [16]int32
		for j := 0; j < 256; j++ {
			q, want := a.qs[256*b+j], g.qs[256*b+j]
			if d := int(q) - int(want); d < -1 || d > 1 {
				t.Fatalf("super-block %d: q[%d] = %d, want %d", b, j, q, want)
			}
			s16[j/16] += int32(q)
		}
		bs := a.i[32*b : 32*b+32]
		for j := 0; j < 16; j++ {
			if bs[j] != s16[j] {
				t.Fatalf("super-block %d: bs16[%d] = %d, want %d", b, j, bs[j], s16[j])
			}
		}
		for j := 0; j < 8; j++ {
			if bs[16+j] != 0 || bs[24+j] != s16[2*j]+s16[2*j+1] {
				t.Fatalf("super-block %d: bs32 %v", b, bs[16:])
			}
		}
	}
}
