package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestNotAGenerator: run and bench refuse embedding models and rerankers
// with the command that takes them (regression: bench's serving mode
// dereferenced the nil config of an embedding engine), and bench takes
// its model positionally as run and serve do.
func TestNotAGenerator(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "../../testdata/embed/bert", "hi"}, "embedding model, not a text generator (use: ferrum embed"},
		{[]string{"run", "../../testdata/embed/rerank_xlmr", "hi"}, "reranker (cross-encoder), not a text generator"},
		{[]string{"bench", "../../testdata/embed/bert", "--concurrency", "1", "--requests", "1"}, "embedding model"},
		{[]string{"bench", "../../testdata/embed/bert", "-p", "4", "-n", "0", "-r", "1"}, `architecture "BertModel" is not supported`},
		{[]string{"bench", "-r", "1"}, "MODEL is required"},
	} {
		root := newRootCmd()
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs(c.args)
		if err := root.Execute(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	out := execBenchArgs(t, "bench", runFixture, "-p", "4", "-n", "2", "-r", "1", "-t", "1")
	if !strings.Contains(out, "pp4") {
		t.Errorf("positional model: %s", out)
	}
}

func execBenchArgs(t *testing.T, args ...string) string {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out.String())
	}
	return out.String()
}
