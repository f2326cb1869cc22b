package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ferrum-go/ferrum/chat"
	"github.com/ferrum-go/ferrum/engine"
)

const runFixture = "../../testdata/models/qwen3"

func execRun(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(append([]string{"run"}, args...))
	err := root.Execute()
	return out.String(), errOut.String(), err
}

// expected is what the engine itself answers, greedily.
func runExpected(t *testing.T, req engine.Request) string {
	t.Helper()
	e, err := engine.Open(runFixture, engine.Options{Threads: 1, KVCacheTokens: 2048})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ch, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for ev := range ch {
		b.WriteString(ev.Text)
	}
	return b.String()
}

var runGreedyFlags = []string{"--temperature", "0", "--max-tokens", "12", "-t", "1", "--kv-cache-tokens", "2048"}

func TestRunOneShot(t *testing.T) {
	out, _, err := execRun(t, "", append([]string{runFixture, "The cat sat on the", "--raw"}, runGreedyFlags...)...)
	if err != nil {
		t.Fatal(err)
	}
	want := runExpected(t, engine.Request{Prompt: "The cat sat on the", Sampling: engine.SamplingParams{MaxTokens: 12}})
	if out != want+"\n" {
		t.Errorf("stdout %q, want %q", out, want+"\n")
	}
	out, _, err = execRun(t, "", append([]string{runFixture, "Hi", "--system", "Be brief."}, runGreedyFlags...)...)
	if err != nil {
		t.Fatal(err)
	}
	want = runExpected(t, engine.Request{Messages: []chat.Message{{Role: "system", Content: chat.Text("Be brief.")}, {Role: "user", Content: chat.Text("Hi")}}, Sampling: engine.SamplingParams{MaxTokens: 12}})
	if out != want+"\n" {
		t.Errorf("chat stdout %q, want %q", out, want+"\n")
	}
}

// TestRunInteractive: history, /clear, multi-line input and /bye.
func TestRunInteractive(t *testing.T) {
	in := "Hi\nHi\n/clear\nHi\n\"\"\"\nline one\nline two\n\"\"\"\n/bye\nnot read\n"
	out, _, err := execRun(t, in, append([]string{runFixture}, runGreedyFlags...)...)
	if err != nil {
		t.Fatal(err)
	}
	p := engine.SamplingParams{MaxTokens: 12}
	user := func(s string) chat.Message { return chat.Message{Role: "user", Content: chat.Text(s)} }
	a1 := runExpected(t, engine.Request{Messages: []chat.Message{user("Hi")}, Sampling: p})
	a2 := runExpected(t, engine.Request{Messages: []chat.Message{user("Hi"), {Role: "assistant", Content: chat.Text(a1)}, user("Hi")}, Sampling: p})
	a4 := runExpected(t, engine.Request{Messages: []chat.Message{user("Hi"), {Role: "assistant", Content: chat.Text(a1)}, user("line one\nline two")}, Sampling: p})
	if want := a1 + "\n" + a2 + "\n" + a1 + "\n" + a4 + "\n"; out != want {
		t.Errorf("stdout %q, want %q", out, want)
	}
}

// TestRunInterrupt: an interrupt stops the answer being written and the
// chat goes on.
func TestRunInterrupt(t *testing.T) {
	e, err := engine.Open(runFixture, engine.Options{Threads: 1, KVCacheTokens: 2048})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	interrupts := make(chan os.Signal, 1)
	w := &interruptingWriter{interrupts: interrupts}
	ro := &runOptions{raw: true}
	ro.sample.maxTokens, ro.sample.ignoreEOS = 400, true
	s := &chatSession{e: e, opts: ro, out: w, errOut: &bytes.Buffer{}, interrupts: interrupts}
	if err := s.interactive(context.Background(), strings.NewReader("one\ntwo\n"), false); err != nil {
		t.Fatal(err)
	}
	if w.writes >= 2*400 {
		t.Errorf("%d writes: the interrupt did not stop the first answer", w.writes)
	}
	if w.answers != 2 {
		t.Errorf("%d answers ended, want 2", w.answers)
	}
}

// interruptingWriter sends an interrupt at the first text of the first
// answer and counts answers by their closing newline.
type interruptingWriter struct {
	mu         sync.Mutex
	interrupts chan os.Signal
	writes     int
	answers    int
	sent       bool
}

func (w *interruptingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
	if string(p) == "\n" {
		w.answers++
	} else if len(p) > 0 && !w.sent {
		w.sent = true
		w.interrupts <- os.Interrupt
	}
	return len(p), nil
}

func TestRunErrors(t *testing.T) {
	defer func(f func() (string, error)) { demoModel = f }(demoModel)
	demoModel = nil // without the demo model (see demo_test.go for run with it)
	if _, _, err := execRun(t, ""); err == nil || !strings.Contains(err.Error(), "MODEL") {
		t.Errorf("no model: %v", err)
	}
	if _, _, err := execRun(t, "", "/nonexistent/model", "hi"); err == nil {
		t.Error("missing model: no error")
	}
	if _, _, err := execRun(t, "", "Once", "upon", "a", "time"); err == nil || !strings.Contains(err.Error(), "quote a prompt") {
		t.Errorf("unquoted prompt: %v", err)
	}
}

// TestRunBinaryPipe runs the real binary with its stdin and stdout on
// pipes, as a shell would.
func TestRunBinaryPipe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "ferrum")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, append([]string{"run", runFixture}, runGreedyFlags...)...)
	cmd.Stdin = strings.NewReader("Hi\n/bye\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	want := runExpected(t, engine.Request{Messages: []chat.Message{{Role: "user", Content: chat.Text("Hi")}}, Sampling: engine.SamplingParams{MaxTokens: 12}})
	if string(out) != want+"\n" {
		t.Errorf("stdout %q, want %q", out, want+"\n")
	}
}

func TestReadMessage(t *testing.T) {
	s := &chatSession{errOut: &bytes.Buffer{}, interrupts: make(chan os.Signal)}
	lines := make(chan string, 16)
	for _, l := range []string{`first \`, `second`, `"""one line"""`, `"""start`, `middle`, `end"""`, `last`} {
		lines <- l
	}
	close(lines)
	var got []string
	for {
		m, ok := s.readMessage(lines, func(string) {})
		if !ok {
			break
		}
		got = append(got, m)
	}
	want := []string{"first \nsecond", "one line", "start\nmiddle\nend", "last"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("messages %q, want %q", got, want)
	}
}

// TestRunBinaryInterrupt: SIGINT while an answer is streaming stops the
// answer, not the program, which goes on to the next message.
func TestRunBinaryInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "ferrum")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "run", runFixture, "--ignore-eos", "--raw", "-t", "1", "--kv-cache-tokens", "2048")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	io.WriteString(stdin, "Once upon a time\n")
	buf := make([]byte, 1)
	if _, err := io.ReadFull(stdout, buf); err != nil { // the answer has started
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	io.WriteString(stdin, "/bye\n")
	rest, _ := io.ReadAll(stdout)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v (stderr %q)", err, stderr.String())
	}
	// Whether the signal came during the answer or just after it, the
	// program lived on to read /bye and exit cleanly.
	t.Logf("%d bytes after the first; stderr %q", len(rest), stderr.String())
}
