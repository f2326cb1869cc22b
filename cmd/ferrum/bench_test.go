package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func execBench(t *testing.T, args ...string) string {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(append([]string{"bench", "-m", runFixture}, args...))
	if err := root.Execute(); err != nil {
		t.Fatalf("bench %v: %v\n%s", args, err, out.String())
	}
	return out.String()
}

func TestBenchSpeed(t *testing.T) {
	var rs []speedResult
	out := execBench(t, "-p", "16", "-n", "8", "-r", "2", "-t", "1", "--json")
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(rs) != 2 || rs[0].NPrompt != 16 || rs[1].NGen != 8 || rs[0].Threads != 1 {
		t.Fatalf("results %+v", rs)
	}
	for _, r := range rs {
		if len(r.SamplesTs) != 2 || !(r.AvgTs > 0) || r.Params == 0 {
			t.Errorf("result %+v", r)
		}
	}
	table := execBench(t, "-p", "8", "-n", "4", "-r", "1", "-t", "1")
	for _, want := range []string{"| model", "pp8", "tg4", "qwen3", " ± "} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
}

func TestBenchServing(t *testing.T) {
	var rs []servingResult
	out := execBench(t, "--concurrency", "3", "--requests", "7", "--input-len", "20", "--output-len", "5", "-t", "1", "--json")
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	r := rs[0]
	if r.OutputTokens != 35 || r.InputTokens != 140 || !(r.OutputTokPerS > 0) || !(r.TTFTP99Ms >= r.TTFTP50Ms) || !(r.TPOTP50Ms > 0) {
		t.Errorf("result %+v", r)
	}
	text := execBench(t, "--concurrency", "2", "--requests", "2", "--input-len", "4", "--output-len", "2", "-t", "1")
	if !strings.Contains(text, "TTFT (ms)") || !strings.Contains(text, "output tokens/s") {
		t.Errorf("text output:\n%s", text)
	}
}
