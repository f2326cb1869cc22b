package engine

import (
	"strings"
	"testing"
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
	if n, _ := o.kvBlocks(widths); n != 7 {
		t.Errorf("100 tokens: %d blocks, want 7", n)
	}
	o = Options{KVCacheBytes: 1 << 20}
	o.setDefaults(512)
	if n, _ := o.kvBlocks(widths); n != 64 {
		t.Errorf("1 MiB: %d blocks, want 64", n)
	}
	o = Options{KVCacheBytes: 100}
	o.setDefaults(512)
	if _, err := o.kvBlocks(widths); err == nil {
		t.Error("a pool smaller than a block: no error")
	}
	// Automatic sizing never exceeds MaxSeqs full-length sequences.
	o = Options{MaxSeqs: 2}
	o.setDefaults(512)
	if n, err := o.kvBlocks(widths); err != nil || n > 2*512/16 || n < 1 {
		t.Errorf("auto: %d blocks, %v", n, err)
	}
}

func TestOpenRejectsNegativeThreads(t *testing.T) {
	_, err := Open("../testdata/models/qwen3", Options{Threads: -3})
	if err == nil || !strings.Contains(err.Error(), "-3 threads") {
		t.Fatalf("error %v", err)
	}
}
