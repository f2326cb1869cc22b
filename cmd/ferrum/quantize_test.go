package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/format/gguf"
)

func runQuantize(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	root := newRootCmd()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(append([]string{"quantize"}, args...))
	err = root.Execute()
	return out.String(), errb.String(), err
}

func TestQuantizeCommand(t *testing.T) {
	src := "../../testdata/models/llama3"
	dst := filepath.Join(t.TempDir(), "llama3-q8.gguf")
	out, errOut, err := runQuantize(t, src, dst, "--type", "q8_0")
	if err != nil {
		t.Fatal(err)
	}
	// stderr is not a terminal here: one line per tensor.
	if n := strings.Count(errOut, "\n"); n != 21 || !strings.Contains(errOut, "[ 3/21] token_embd.weight") ||
		!strings.Contains(errOut, "F32 -> Q8_0") {
		t.Errorf("progress lines (%d):\n%s", n, errOut)
	}
	if !strings.Contains(out, "wrote "+dst+": Q8_0, 21 tensors") {
		t.Errorf("summary: %q", out)
	}
	f, err := gguf.Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if ft, _ := f.Metadata.Uint("general.file_type"); ft != 7 {
		t.Errorf("general.file_type %d, want 7", ft)
	}

	out, _, err = runQuantize(t, dst, "--type", "Q4_K_M", "--dry-run")
	if err != nil {
		t.Fatal(err)
	}
	// 64-wide rows: Q4_K falls back to Q5_0, the tied embedding's Q6_K to Q8_0.
	for _, want := range []string{"blk.0.attn_q.weight", "Q5_0 (fallback from Q4_K)", "token_embd.weight", "Q4_K_M: 21 tensors"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if _, _, err := runQuantize(t, src, dst, "--type", "Q9"); err == nil || !strings.Contains(err.Error(), "Q4_K_M") {
		t.Errorf("bad --type: %v", err)
	}
	if _, _, err := runQuantize(t, src, dst, "--type", "f16", "--progress", "fancy"); err == nil {
		t.Error("bad --progress accepted")
	}
}
