// Package demo holds ferrum's built-in demo model: a small Qwen3-architecture
// model (8.4M parameters, its own 8192-token BPE vocabulary, a ChatML
// template) trained by tools/train on public-domain English prose, shipped
// as a Q8_0 GGUF inside the binary so that `ferrum run` and `ferrum serve`
// do something useful on a machine with no model and no network.
//
// The loaders map files, so Path writes the embedded bytes once to the user's
// cache folder and hands out that file. See docs/demo-model.md.
package demo

import (
	"crypto/sha256"
	_ "embed" // the GGUF below
	"encoding/hex"
	"sync"
)

// Name is the model's name: general.name in the GGUF and the id
// `ferrum serve` lists it under.
const Name = "ferrum-demo"

// FileName is the GGUF's name in this package; Path's copy carries a hash
// prefix after it.
const FileName = "ferrum-demo-q8_0.gguf"

// The GGUF is `ferrum quantize` of the float32 folder that tools/train wrote,
// unpacked into the git-ignored .demo-float (not committed; WriteHFFolder
// rebuilds an equivalent folder from this file, and TestQuantizeRoundTrip
// checks that quantizing it gives these bytes back). See docs/demo-model.md.
//
//go:generate go run ../cmd/ferrum quantize ../.demo-float ferrum-demo-q8_0.gguf --type Q8_0 --name ferrum-demo --progress none
//go:embed ferrum-demo-q8_0.gguf
var ggufBytes []byte

// GGUF returns the embedded GGUF file. The slice is shared: do not modify it.
func GGUF() []byte { return ggufBytes }

var sum = sync.OnceValue(func() string {
	h := sha256.Sum256(ggufBytes)
	return hex.EncodeToString(h[:])
})

// SHA256 is the hex SHA-256 of the embedded GGUF.
func SHA256() string { return sum() }
