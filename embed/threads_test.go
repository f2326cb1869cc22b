package embed

import (
	"strings"
	"testing"
)

func TestOpenRejectsNegativeThreads(t *testing.T) {
	if _, err := Open("../testdata/embed/bert", Options{Threads: -1}); err == nil || !strings.Contains(err.Error(), "-1 threads") {
		t.Fatalf("Open: %v", err)
	}
	if _, err := OpenReranker("../testdata/embed/bert", Options{Threads: -1}); err == nil || !strings.Contains(err.Error(), "-1 threads") {
		t.Fatalf("OpenReranker: %v", err)
	}
}
