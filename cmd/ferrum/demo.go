package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/ferrum-go/ferrum/demo"
	"github.com/ferrum-go/ferrum/hub"
)

func init() { demoModel = demoModelPath }

// demoName is the id `ferrum serve` lists the demo model under.
const demoName = demo.Name

// demoModelPath is the embedded demo model as a file (written to the user's
// cache folder on first use), announced on stderr so that nobody mistakes
// its answers for a real model's.
func demoModelPath() (string, error) {
	p, err := demo.Path()
	if err != nil {
		return "", err
	}
	fmt.Fprintf(os.Stderr, "no model given: using the built-in demo model %s (8.4M parameters trained on a few public-domain books, see docs/demo-model.md)\n", demo.Name)
	return p, nil
}

// promptNotModel reports whether run's only argument is a prompt for the
// demo model rather than a MODEL: it is not a file or folder, does not look
// like a path or a GGUF, and is neither a repo id nor an alias.
func promptNotModel(arg string) bool {
	if _, err := os.Stat(arg); err == nil {
		return false
	}
	if strings.ContainsAny(arg, `/\`) || strings.HasSuffix(strings.ToLower(arg), ".gguf") {
		return false
	}
	_, err := hub.ParseRef(arg)
	return err != nil
}
