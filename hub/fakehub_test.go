package hub

import (
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/hub/hubtest"
)

var (
	gitSHA1   = hubtest.GitSHA1
	sha256Hex = hubtest.SHA256Hex
)

// newTestHub is a Hub on a fresh cache talking to the fake hub.
func newTestHub(t *testing.T, f *hubtest.Hub) *Hub {
	h := New(Config{Endpoint: f.URL, CacheDir: t.TempDir()})
	h.RetryDelay = 1 // a nanosecond: retries must not slow the tests
	return h
}

// A listing whose paths would escape the snapshot folder is refused.
func TestHostileListingRefused(t *testing.T) {
	f := hubtest.New(t)
	commit := f.AddCommit("org/m", map[string]string{"config.json": "{}"})
	f.Repo("org/m").Commits[commit]["../../../evil.json"] = hubtest.File{Data: []byte("x")}
	h := newTestHub(t, f)
	_, err := h.Pull(t.Context(), "org/m")
	if err == nil || !strings.Contains(err.Error(), "evil.json") {
		t.Fatalf("err = %v", err)
	}
}
