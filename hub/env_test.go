package hub

import (
	"os"
	"path/filepath"
	"testing"
)

func TestConfigFromEnv(t *testing.T) {
	home := t.TempDir()
	for _, k := range []string{"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_ENDPOINT", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "XDG_CACHE_HOME"} {
		t.Setenv(k, "")
	}
	t.Setenv("HF_HOME", home)
	os.WriteFile(filepath.Join(home, "token"), []byte("hf_fromfile\n"), 0o600)

	c := ConfigFromEnv()
	if c.CacheDir != filepath.Join(home, "hub") || c.Endpoint != DefaultEndpoint || c.Token != "hf_fromfile" || c.Offline {
		t.Fatalf("%+v", c)
	}
	t.Setenv("HF_HUB_CACHE", "/elsewhere")
	t.Setenv("HF_ENDPOINT", "https://mirror.example/")
	t.Setenv("HF_TOKEN", "hf_env")
	t.Setenv("HF_HUB_OFFLINE", "yes")
	c = ConfigFromEnv()
	if c.CacheDir != "/elsewhere" || c.Endpoint != "https://mirror.example" || c.Token != "hf_env" || !c.Offline {
		t.Fatalf("%+v", c)
	}
	t.Setenv("HF_HUB_OFFLINE", "0")
	t.Setenv("HF_HOME", "")
	t.Setenv("HF_HUB_CACHE", "")
	t.Setenv("XDG_CACHE_HOME", "/xdg")
	c = ConfigFromEnv()
	if c.Offline || c.CacheDir != "/xdg/huggingface/hub" {
		t.Fatalf("%+v", c)
	}
}
