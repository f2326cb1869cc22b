package engine

import (
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/kvcache"
	"github.com/ferrum-go/ferrum/quant"
)

func TestParseMemAvailable(t *testing.T) {
	got, err := parseMemAvailable([]byte("MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   22000000 kB\n"))
	if err != nil || got != 22000000*1024 {
		t.Fatalf("%d, %v", got, err)
	}
	for _, bad := range []string{"", "MemTotal: 5 kB\n", "MemAvailable: x kB\n", "MemAvailable: -5 kB\n"} {
		if _, err := parseMemAvailable([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func FuzzParseMemAvailable(f *testing.F) {
	f.Add([]byte("MemAvailable:   22000000 kB\n"))
	f.Add([]byte("MemAvailable:\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if n, err := parseMemAvailable(data); err == nil && n < 0 {
			t.Fatalf("negative %d", n)
		}
	})
}

func TestKVSizing(t *testing.T) {
	widths := []int{64, 64} // 2 layers: 2*2*4*64*16 = 16 KiB per block of 16
	o := Options{KVCacheTokens: 100}
	o.setDefaults(512)
	if n, _ := o.kvBlocks(quant.F32, widths); n != 7 {
		t.Errorf("100 tokens: %d blocks, want 7", n)
	}
	o = Options{KVCacheBytes: 1 << 20}
	o.setDefaults(512)
	if n, _ := o.kvBlocks(quant.F32, widths); n != 64 {
		t.Errorf("1 MiB: %d blocks, want 64", n)
	}
	o = Options{KVCacheBytes: 100}
	o.setDefaults(512)
	if _, err := o.kvBlocks(quant.F32, widths); err == nil {
		t.Error("a pool smaller than a block: no error")
	}
	// Automatic sizing never exceeds MaxSeqs full-length sequences.
	o = Options{MaxSeqs: 2}
	o.setDefaults(512)
	if n, err := o.kvBlocks(quant.F32, widths); err != nil || n > 2*512/16 || n < 1 {
		t.Errorf("auto: %d blocks, %v", n, err)
	}
}

func TestOpenRejectsNegativeThreads(t *testing.T) {
	_, err := Open("../testdata/models/qwen3", Options{Threads: -3})
	if err == nil || !strings.Contains(err.Error(), "-3 threads") {
		t.Fatalf("error %v", err)
	}
}

// F16 is the CPU default, f32 stays selectable, and an F16 block takes
// half the bytes, so a byte budget holds twice the tokens.
func TestKVCacheType(t *testing.T) {
	be := cpu.New(1)
	defer be.Close()
	for _, c := range []struct {
		in   string
		want quant.Type
	}{{"", quant.F16}, {"f16", quant.F16}, {"f32", quant.F32}} {
		o := Options{KVCacheType: c.in}
		if got, err := o.kvType(be); err != nil || got != c.want {
			t.Errorf("%q: %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	if _, err := (&Options{KVCacheType: "q8_0"}).kvType(be); err == nil || !strings.Contains(err.Error(), "q8_0") {
		t.Errorf("q8_0: %v", err)
	}
	widths := []int{64, 64}
	if f32, f16 := kvcache.BytesPerBlockOf(quant.F32, widths, 16), kvcache.BytesPerBlockOf(quant.F16, widths, 16); f16*2 != f32 {
		t.Errorf("bytes per block f32 %d, f16 %d", f32, f16)
	}
	o := Options{KVCacheBytes: 1 << 20}
	o.setDefaults(512)
	n32, _ := o.kvBlocks(quant.F32, widths)
	n16, _ := o.kvBlocks(quant.F16, widths)
	if n16 != 2*n32 {
		t.Errorf("1 MiB holds %d f32 blocks, %d f16", n32, n16)
	}
}
