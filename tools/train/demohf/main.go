// Command demohf writes the demo model as an HF folder: the embedded Q8_0
// GGUF dequantized to a float32 model.safetensors, beside the config,
// tokenizer and template files of testdata/demo. It is the folder that
// tools/train/reference.py runs transformers on (see docs/demo-model.md):
//
//	go run ./tools/train/demohf .demo-hf
package main

import (
	"fmt"
	"os"

	"github.com/ferrum-go/ferrum/demo"
)

func main() {
	from := "testdata/demo"
	switch len(os.Args) {
	case 3:
		from = os.Args[2]
	case 2:
	default:
		fmt.Fprintln(os.Stderr, "usage: demohf OUT_DIR [CONFIG_DIR (default testdata/demo)]")
		os.Exit(2)
	}
	if err := demo.WriteHFFolder(os.Args[1], from); err != nil {
		fmt.Fprintln(os.Stderr, "demohf:", err)
		os.Exit(1)
	}
}
