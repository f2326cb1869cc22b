// Package safetensors reads and writes Hugging Face .safetensors files and
// sharded checkpoints, without copying tensor data.
//
// A file is an 8-byte little-endian header length N, N bytes of JSON
//
//	{"__metadata__": {"k": "v"}, "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...}
//
// and then the data region, which data_offsets index into. Elements are
// little-endian and row-major.
//
// Reading:
//
//	f, err := safetensors.Open("model.safetensors") // mmap + header validation
//	for _, t := range f.Tensors() { ... }            // TensorInfo{Name, DType, Shape, Begin, End}, data order
//	b, err := f.Data("lm_head.weight")              // []byte slice of the mapping, no copy
//	x, err := f.Float32("lm_head.weight")           // decoded copy, any float dtype
//	f.Metadata()                                    // __metadata__
//	f.Close()                                       // invalidates every slice from Data
//
// A File or Checkpoint is safe for concurrent reads; Close must not race
// with them.
//
// Sharded checkpoints (a folder, an index file or a single file):
//
//	c, err := safetensors.OpenCheckpoint("path/to/model") // see OpenCheckpoint for the lookup order
//	c.Names(); c.Info(name); c.Data(name); c.Float32(name); c.Close()
//
// Writing: Write / WriteFile take []Tensor{Name, DType, Shape, Data} and a
// metadata map and lay the file out like the reference writer (tensors in
// the order given, back to back; header padded with spaces to 8 bytes).
//
// Dtypes: BOOL U8 I8 I16 U16 I32 U32 I64 U64 F16 BF16 F32 F64 C64 and the
// 8-bit floats F8_E4M3 (the "fn" variant: no infinities, S.1111.111 NaN),
// F8_E5M2 (IEEE-like, with infinities) and F8_E8M0 (scales). DecodeFloat32
// and the scalar Float16ToFloat32 / BFloat16ToFloat32 / Float8*ToFloat32
// widen exactly; Float32ToFloat16 / Float32ToBFloat16 round to nearest even.
//
// Validation: every header field is checked before use, so truncated or
// hostile files give an error naming the file, the tensor or key and the
// problem, never a panic or an allocation sized by the file: header length
// past the file or over MaxHeaderSize, bad JSON or UTF-8, duplicate keys
// (encoding/json would silently keep the last), unknown dtypes, offsets
// past the data or reversed, overlapping tensors, and shape × dtype size
// differing from the byte length (computed without int64 overflow). Unlike
// the reference reader, gaps between tensors and trailing bytes are
// accepted: they cannot make one tensor read another's bytes.
package safetensors
