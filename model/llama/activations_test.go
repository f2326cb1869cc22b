package llama

import (
	"encoding/json"
	"math"
	"path/filepath"
	"sort"
	"testing"

	"github.com/ferrum-go/ferrum/compute/computetest"
	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/format/safetensors"
	"github.com/ferrum-go/ferrum/model"
)

// TestActivations compares every named intermediate (invariant 6) with the
// ones tools/refgen/dump_activations.py recorded from transformers, so the
// names mean the same thing on both sides and a divergence would show at
// the first layer it happens.
func TestActivations(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(fixturesDir, "*", "activations.safetensors"))
	if len(files) == 0 {
		t.Skip("no activation fixtures")
	}
	for _, path := range files {
		dir := filepath.Dir(path)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			ref, err := safetensors.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer ref.Close()
			var ids []int32
			if err := json.Unmarshal([]byte(ref.Metadata()["input_ids"]), &ids); err != nil {
				t.Fatalf("input_ids metadata: %v", err)
			}
			be := cpu.New(2)
			defer be.Close()
			d := &model.Dumper{Path: filepath.Join(t.TempDir(), "dump.safetensors")}
			m, err := model.Load(dir, be, model.Options{Dump: d})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			prefillAll(t, m, be, ids, 16)

			var names []string
			for _, ti := range ref.Tensors() {
				names = append(names, ti.Name)
			}
			sort.Strings(names)
			var worst float64
			for _, n := range names {
				want, err := ref.Float32(n)
				if err != nil {
					t.Fatal(err)
				}
				got, _, ok := d.Get(n)
				if !ok {
					t.Errorf("%s: not recorded by the forward pass", n)
					continue
				}
				e := computetest.RelErr(got, want)
				worst = math.Max(worst, e)
				if e > 1e-4 {
					t.Errorf("%s: relative error %.3g", n, e)
				}
			}
			t.Logf("%d activations, worst relative error %.3g", len(names), worst)

			// The dump file holds the same values (what FERRUM_DUMP writes).
			if err := d.Flush(); err != nil {
				t.Fatal(err)
			}
			out, err := safetensors.Open(d.Path)
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			got, err := out.Float32("blk.1.l_out")
			want, _, _ := d.Get("blk.1.l_out")
			if err != nil || computetest.RelErr(got, want) != 0 {
				t.Errorf("dump file blk.1.l_out: %v, error %g", err, computetest.RelErr(got, want))
			}
		})
	}
}
