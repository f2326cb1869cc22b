package safetensors

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the committed fixtures under testdata/safetensors")

const fixtureDir = "../../testdata/safetensors"

// fixtures are the committed files: the writer must still produce them
// byte for byte, so a change to the on-disk layout shows up in review.
func fixtures() map[string][]byte {
	image := func(ts []Tensor, md map[string]string) []byte {
		var buf bytes.Buffer
		if err := Write(&buf, ts, md); err != nil {
			panic(err)
		}
		return buf.Bytes()
	}
	pt := map[string]string{"format": "pt"}
	return map[string][]byte{
		"all_dtypes.safetensors":                   image(sampleTensors(), pt),
		"sharded/model-00001-of-00002.safetensors": image([]Tensor{u8("embed", 1), u8("layers.0.w", 2)}, pt),
		"sharded/model-00002-of-00002.safetensors": image([]Tensor{u8("layers.1.w", 3), u8("lm_head", 4, 5)}, pt),
		"sharded/" + IndexFileName: []byte(`{
  "metadata": {"total_size": 5},
  "weight_map": {
    "embed": "model-00001-of-00002.safetensors",
    "layers.0.w": "model-00001-of-00002.safetensors",
    "layers.1.w": "model-00002-of-00002.safetensors",
    "lm_head": "model-00002-of-00002.safetensors"
  }
}
`),
	}
}

func TestFixtures(t *testing.T) {
	for name, want := range fixtures() {
		p := filepath.Join(fixtureDir, name)
		if *update {
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%v (regenerate with go test -run TestFixtures -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what the writer produces now", name)
		}
	}
	c, err := OpenCheckpoint(filepath.Join(fixtureDir, "sharded"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	checkSharded(t, c)
	f, err := Open(filepath.Join(fixtureDir, "all_dtypes.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if len(f.Tensors()) != len(sampleTensors()) {
		t.Fatalf("%d tensors", len(f.Tensors()))
	}
}
