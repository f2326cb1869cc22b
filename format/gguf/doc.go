// Package gguf reads and writes GGUF files, ggml's single-file model format.
//
// A GGUF file is a header (magic "GGUF", version, tensor and metadata counts),
// ordered key/value metadata, tensor descriptions, and an aligned data section
// holding the tensors' raw bytes. Versions 2 and 3 share one layout and both
// read; version 1 (32-bit counts) is rejected. Only little-endian files read.
//
// Open maps the file (internal/mmap), so tensor data is never copied: File.Data
// returns slices into the mapping, and files larger than RAM open. Everything
// the header claims is checked against the bytes actually present before any
// allocation, so truncated or hostile files give errors, never panics or huge
// allocations.
//
// Tensor dimensions are ggml's ne order: Dims[0] is the innermost (contiguous)
// dimension, the reverse of PyTorch's shape.
package gguf
