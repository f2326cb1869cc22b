package convert

import (
	"fmt"

	"github.com/ferrum-go/ferrum/format/gguf"
)

// openGGUF reads a GGUF file for requantization. Its metadata is copied as
// llama-quantize copies it (general.file_type and the quantization version
// are set afresh, split keys dropped).
func openGGUF(path string) (*source, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	md := f.Metadata
	arch, err := md.String("general.architecture")
	if err != nil {
		f.Close()
		return nil, err
	}
	if _, err := md.Uint("split.count"); err == nil {
		f.Close()
		return nil, fmt.Errorf("%s: split GGUF files are not supported; merge the shards first", path)
	}
	src := &source{close: f.Close, shape: Shape{Arch: arch}}
	u := func(key string) int {
		v, err := md.Uint(arch + "." + key)
		if err != nil {
			return 0
		}
		return int(v)
	}
	src.shape.NumLayers = u("block_count")
	src.shape.NumHeads = u("attention.head_count")
	src.shape.NumKVHeads = u("attention.head_count_kv")
	src.shape.NumExperts = u("expert_count")
	if src.shape.NumKVHeads == 0 {
		src.shape.NumKVHeads = src.shape.NumHeads
	}
	for _, e := range md.KVs() {
		switch e.Key {
		case "split.no", "split.count", "split.tensors.count":
			continue
		}
		src.meta = append(src.meta, kv{e.Key, e.Value})
	}
	for i := range f.Tensors {
		t := &f.Tensors[i]
		if !t.Type.Known() {
			f.Close()
			return nil, fmt.Errorf("%s: tensor %s has unknown type id %d", path, t.Name, uint32(t.Type))
		}
		src.tensors = append(src.tensors, srcTensor{name: t.Name, dims: t.Dims, typ: t.Type, keep: t.Type,
			read: func() ([]byte, error) { return f.Data(t), nil }})
	}
	return src, nil
}
