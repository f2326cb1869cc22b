package hub

import (
	"os"
	"path/filepath"
	"strings"
)

// DefaultEndpoint is the public Hugging Face Hub.
const DefaultEndpoint = "https://huggingface.co"

// Config is where the hub lives, who we are, and where the cache is.
// ConfigFromEnv fills it the way huggingface_hub reads its environment.
type Config struct {
	Endpoint string // HF_ENDPOINT, without a trailing slash
	Token    string // HF_TOKEN, else the token file written by `hf auth login`
	CacheDir string // HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub
	Offline  bool   // HF_HUB_OFFLINE: resolve from the cache only
}

// ConfigFromEnv reads the environment variables huggingface_hub reads, with
// the same precedence, so both tools share a cache and a login.
func ConfigFromEnv() Config {
	home := hfHome()
	cache := firstEnv("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE")
	if cache == "" {
		cache = filepath.Join(home, "hub")
	}
	endpoint := strings.TrimRight(os.Getenv("HF_ENDPOINT"), "/")
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	return Config{
		Endpoint: endpoint,
		Token:    readToken(home),
		CacheDir: expandHome(cache),
		Offline:  envTrue("HF_HUB_OFFLINE") || envTrue("TRANSFORMERS_OFFLINE"),
	}
}

func hfHome() string {
	if h := os.Getenv("HF_HOME"); h != "" {
		return expandHome(h)
	}
	if x := os.Getenv("XDG_CACHE_HOME"); x != "" {
		return filepath.Join(expandHome(x), "huggingface")
	}
	return filepath.Join(userHome(), ".cache", "huggingface")
}

// readToken prefers the environment; the file is what `hf auth login`
// (formerly huggingface-cli login) stores.
func readToken(home string) string {
	if t := firstEnv("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"); t != "" {
		return strings.TrimSpace(t)
	}
	path := os.Getenv("HF_TOKEN_PATH")
	if path == "" {
		path = filepath.Join(home, "token")
	}
	b, err := os.ReadFile(expandHome(path))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// envTrue accepts the spellings huggingface_hub accepts.
func envTrue(name string) bool {
	switch strings.ToUpper(strings.TrimSpace(os.Getenv(name))) {
	case "1", "ON", "YES", "TRUE":
		return true
	}
	return false
}

func expandHome(p string) string {
	if p == "~" {
		return userHome()
	}
	if strings.HasPrefix(p, "~/") {
		return filepath.Join(userHome(), p[2:])
	}
	return p
}

func userHome() string {
	if h, err := os.UserHomeDir(); err == nil {
		return h
	}
	return "."
}
