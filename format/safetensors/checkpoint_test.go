package safetensors

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func u8(name string, vals ...byte) Tensor {
	return Tensor{Name: name, DType: U8, Shape: []int64{int64(len(vals))}, Data: vals}
}

// shardedDir writes a two-shard checkpoint with its index.
func shardedDir(t *testing.T) string {
	dir := t.TempDir()
	writeTemp(t, dir, "model-00001-of-00002.safetensors", []Tensor{u8("embed", 1), u8("layers.0.w", 2)}, map[string]string{"format": "pt"})
	writeTemp(t, dir, "model-00002-of-00002.safetensors", []Tensor{u8("layers.1.w", 3), u8("lm_head", 4, 5)}, map[string]string{"format": "pt"})
	writeRaw(t, dir, IndexFileName, []byte(`{
  "metadata": {"total_size": 5},
  "weight_map": {
    "lm_head": "model-00002-of-00002.safetensors",
    "embed": "model-00001-of-00002.safetensors",
    "layers.1.w": "model-00002-of-00002.safetensors",
    "layers.0.w": "model-00001-of-00002.safetensors"
  }
}`))
	return dir
}

func checkSharded(t *testing.T, c *Checkpoint) {
	t.Helper()
	if got := strings.Join(c.Names(), ","); got != "embed,layers.0.w,layers.1.w,lm_head" {
		t.Fatalf("names %s", got)
	}
	for name, want := range map[string][]byte{"embed": {1}, "layers.0.w": {2}, "layers.1.w": {3}, "lm_head": {4, 5}} {
		got, err := c.Data(name)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: %v %v", name, got, err)
		}
		if info, ok := c.Info(name); !ok || info.Name != name || info.DType != U8 {
			t.Fatalf("%s: info %+v", name, info)
		}
	}
	if _, err := c.Data("missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	if len(c.Files()) != 2 || c.Files()[0].Metadata()["format"] != "pt" {
		t.Fatalf("files %v", c.Files())
	}
}

func TestCheckpointSharded(t *testing.T) {
	dir := shardedDir(t)
	for _, p := range []string{dir, filepath.Join(dir, IndexFileName)} {
		c, err := OpenCheckpoint(p)
		if err != nil {
			t.Fatal(err)
		}
		checkSharded(t, c)
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// Without the index, the shards are found by extension.
	os.Remove(filepath.Join(dir, IndexFileName))
	c, err := OpenCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkSharded(t, c)
	c.Close()
}

func TestCheckpointOtherIndexName(t *testing.T) {
	dir := shardedDir(t)
	os.Rename(filepath.Join(dir, IndexFileName), filepath.Join(dir, "diffusion_pytorch_model.safetensors.index.json"))
	// A stray file outside the index must not be picked up.
	writeTemp(t, dir, "consolidated.safetensors", []Tensor{u8("embed", 9)}, nil)
	c, err := OpenCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	checkSharded(t, c)
}

func TestCheckpointSingle(t *testing.T) {
	dir := t.TempDir()
	p := writeTemp(t, dir, SingleFileName, []Tensor{u8("b", 1), u8("a", 2),
		{Name: "h", DType: F16, Shape: []int64{2}, Data: []byte{0x00, 0x3c, 0x00, 0xc0}}}, nil)
	// model.safetensors wins over other .safetensors in the folder.
	writeTemp(t, dir, "other.safetensors", []Tensor{u8("b", 1)}, nil)
	for _, path := range []string{dir, p} {
		c, err := OpenCheckpoint(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(c.Names(), ","); got != "b,a,h" {
			t.Fatalf("names %s", got)
		}
		if x, err := c.Float32("h"); err != nil || x[0] != 1 || x[1] != -2 {
			t.Fatalf("h: %v %v", x, err)
		}
		if _, err := c.Float32("a"); err == nil || !strings.Contains(err.Error(), `tensor "a"`) {
			t.Fatalf("U8 as float: %v", err)
		}
		c.Close()
	}
}

func TestCheckpointErrors(t *testing.T) {
	index := func(dir, body string) string {
		return writeRaw(t, dir, IndexFileName, []byte(body))
	}
	t.Run("missing shard", func(t *testing.T) {
		dir := shardedDir(t)
		os.Remove(filepath.Join(dir, "model-00002-of-00002.safetensors"))
		_, err := OpenCheckpoint(dir)
		wantErr(t, err, IndexFileName, "shard model-00002-of-00002.safetensors", "missing")
	})
	t.Run("tensor in two shards", func(t *testing.T) {
		dir := t.TempDir()
		writeTemp(t, dir, "a.safetensors", []Tensor{u8("x", 1)}, nil)
		writeTemp(t, dir, "b.safetensors", []Tensor{u8("y", 1), u8("x", 2)}, nil)
		_, err := OpenCheckpoint(dir)
		wantErr(t, err, `tensor "x" is in two shards`, "a.safetensors", "b.safetensors")
		index(dir, `{"weight_map":{"x":"a.safetensors","y":"b.safetensors"}}`)
		_, err = OpenCheckpoint(dir)
		wantErr(t, err, IndexFileName, `tensor "x" is in two shards`)
	})
	t.Run("weight_map names the wrong shard", func(t *testing.T) {
		dir := shardedDir(t)
		index(dir, `{"weight_map":{"embed":"model-00002-of-00002.safetensors","lm_head":"model-00001-of-00002.safetensors"}}`)
		_, err := OpenCheckpoint(dir)
		wantErr(t, err, IndexFileName, `weight_map puts tensor "embed" in model-00002-of-00002.safetensors, which does not hold it`)
	})
	t.Run("duplicate in weight_map", func(t *testing.T) {
		dir := shardedDir(t)
		index(dir, `{"weight_map":{"embed":"model-00001-of-00002.safetensors","embed":"model-00002-of-00002.safetensors"}}`)
		_, err := OpenCheckpoint(dir)
		wantErr(t, err, IndexFileName, `weight_map: duplicate key "embed"`)
	})
	t.Run("shard path escapes", func(t *testing.T) {
		for _, shard := range []string{"../x.safetensors", "/etc/passwd", ""} {
			dir := t.TempDir()
			index(dir, `{"weight_map":{"a":"`+shard+`"}}`)
			_, err := OpenCheckpoint(dir)
			wantErr(t, err, IndexFileName, `weight_map tensor "a": shard path`)
		}
	})
	t.Run("bad index", func(t *testing.T) {
		for body, want := range map[string]string{
			`{"metadata":{}}`:        "no weight_map",
			`{"weight_map":[]}`:      `weight_map: want '{'`,
			`{"weight_map":{"a":1}}`: `weight_map tensor "a": want a string`,
			`{"weight_map":{}} }`:    "trailing data",
			`nope`:                   "bad JSON",
		} {
			dir := t.TempDir()
			index(dir, body)
			_, err := OpenCheckpoint(dir)
			wantErr(t, err, IndexFileName, want)
		}
	})
	t.Run("corrupt shard", func(t *testing.T) {
		dir := shardedDir(t)
		writeRaw(t, dir, "model-00002-of-00002.safetensors", rawFile(`{"a":1}`, nil))
		_, err := OpenCheckpoint(dir)
		wantErr(t, err, "model-00002-of-00002.safetensors", `tensor "a"`)
	})
	t.Run("empty folder", func(t *testing.T) {
		_, err := OpenCheckpoint(t.TempDir())
		wantErr(t, err, "no .safetensors files")
	})
	t.Run("several indexes", func(t *testing.T) {
		dir := t.TempDir()
		writeRaw(t, dir, "a.safetensors.index.json", []byte(`{"weight_map":{}}`))
		writeRaw(t, dir, "b.safetensors.index.json", []byte(`{"weight_map":{}}`))
		_, err := OpenCheckpoint(dir)
		wantErr(t, err, "several shard indexes", "a.safetensors.index.json")
	})
	t.Run("no such path", func(t *testing.T) {
		_, err := OpenCheckpoint(filepath.Join(t.TempDir(), "nothing"))
		wantErr(t, err, "nothing")
	})
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q lacks %q", err, p)
		}
	}
}
