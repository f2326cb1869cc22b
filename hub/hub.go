package hub

import (
	"io"
	"time"
)

// Hub is a hub client bound to a cache. The zero value is not usable; build
// one with New or FromEnv and adjust the fields before use.
type Hub struct {
	Cache   Cache
	Client  *Client
	Offline bool // never touch the network; resolve from the cache only

	// Concurrency is how many files download at once (default 4).
	Concurrency int
	// MaxAttempts is how many times one file's transfer is tried, each
	// retry resuming with a Range request where the last stopped (default 5).
	MaxAttempts int
	// RetryDelay is the pause before the first retry, doubling after each
	// (default 1s).
	RetryDelay time.Duration
	// StallTimeout is how long a transfer may go without a byte before it
	// is dropped and resumed (default 60s).
	StallTimeout time.Duration
	// Progress receives progress bars (usually os.Stderr); nil is silent.
	Progress io.Writer
}

// New builds a Hub from a Config.
func New(cfg Config) *Hub {
	return &Hub{
		Cache:   Cache{Dir: cfg.CacheDir},
		Client:  &Client{Endpoint: cfg.Endpoint, Token: cfg.Token},
		Offline: cfg.Offline,
	}
}

// FromEnv builds a Hub configured as huggingface_hub would be.
func FromEnv() *Hub { return New(ConfigFromEnv()) }

func (h *Hub) concurrency() int {
	if h.Concurrency > 0 {
		return h.Concurrency
	}
	return 4
}

func (h *Hub) maxAttempts() int {
	if h.MaxAttempts > 0 {
		return h.MaxAttempts
	}
	return 5
}

func (h *Hub) retryDelay() time.Duration {
	if h.RetryDelay > 0 {
		return h.RetryDelay
	}
	return time.Second
}

func (h *Hub) stallTimeout() time.Duration {
	if h.StallTimeout > 0 {
		return h.StallTimeout
	}
	return time.Minute
}
