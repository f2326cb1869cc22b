package convert

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ferrum-go/ferrum/quant"
)

// FileType is llama.cpp's llama_ftype: the mix of tensor types a file is
// quantized to, stored as general.file_type. Values are llama.h's.
type FileType uint32

// The file types this package writes. The _S/_M/_L variants share a base
// type and differ in which tensors get more bits (see Recipe).
const (
	AllF32  FileType = 0
	F16     FileType = 1
	Q4_0    FileType = 2
	Q4_1    FileType = 3
	Q8_0    FileType = 7
	Q5_0    FileType = 8
	Q5_1    FileType = 9
	Q2_K    FileType = 10
	Q3_K_S  FileType = 11
	Q3_K_M  FileType = 12
	Q3_K_L  FileType = 13
	Q4_K_S  FileType = 14
	Q4_K_M  FileType = 15
	Q5_K_S  FileType = 16
	Q5_K_M  FileType = 17
	Q6_K    FileType = 18
	IQ4_NL  FileType = 25
	IQ4_XS  FileType = 30
	BF16    FileType = 32
	guessed FileType = 1024 // llama.cpp's "not specified in the model file"
)

type fileTypeInfo struct {
	name string
	base quant.Type // llama_ftype_get_default_type
}

var fileTypes = map[FileType]fileTypeInfo{
	AllF32: {"F32", quant.F32}, F16: {"F16", quant.F16}, BF16: {"BF16", quant.BF16},
	Q4_0: {"Q4_0", quant.Q4_0}, Q4_1: {"Q4_1", quant.Q4_1}, Q5_0: {"Q5_0", quant.Q5_0},
	Q5_1: {"Q5_1", quant.Q5_1}, Q8_0: {"Q8_0", quant.Q8_0},
	Q2_K:   {"Q2_K", quant.Q2_K},
	Q3_K_S: {"Q3_K_S", quant.Q3_K}, Q3_K_M: {"Q3_K_M", quant.Q3_K}, Q3_K_L: {"Q3_K_L", quant.Q3_K},
	Q4_K_S: {"Q4_K_S", quant.Q4_K}, Q4_K_M: {"Q4_K_M", quant.Q4_K},
	Q5_K_S: {"Q5_K_S", quant.Q5_K}, Q5_K_M: {"Q5_K_M", quant.Q5_K},
	Q6_K:   {"Q6_K", quant.Q6_K},
	IQ4_NL: {"IQ4_NL", quant.IQ4_NL}, IQ4_XS: {"IQ4_XS", quant.IQ4_XS},
}

// aliases are the shorter names llama-quantize also accepts.
var aliases = map[string]FileType{"Q3_K": Q3_K_M, "Q4_K": Q4_K_M, "Q5_K": Q5_K_M}

// String is llama-quantize's name for the file type ("Q4_K_M").
func (f FileType) String() string {
	if i, ok := fileTypes[f]; ok {
		return i.name
	}
	return fmt.Sprintf("ftype(%d)", uint32(f))
}

// BaseType is the tensor type most matrices get (llama_ftype_get_default_type).
func (f FileType) BaseType() quant.Type { return fileTypes[f].base }

// FileTypeNames lists the accepted --type names, in llama.h order.
func FileTypeNames() []string {
	fts := make([]FileType, 0, len(fileTypes))
	for f := range fileTypes {
		fts = append(fts, f)
	}
	sort.Slice(fts, func(i, j int) bool { return fts[i] < fts[j] })
	names := make([]string, len(fts))
	for i, f := range fts {
		names[i] = f.String()
	}
	return names
}

// ParseFileType maps a name such as "q4_k_m" or "Q8_0" to its file type.
func ParseFileType(name string) (FileType, error) {
	up := strings.ToUpper(strings.TrimSpace(name))
	if f, ok := aliases[up]; ok {
		return f, nil
	}
	for f, i := range fileTypes {
		if i.name == up {
			return f, nil
		}
	}
	return 0, fmt.Errorf("unknown quantization type %q (supported: %s)", name, strings.Join(FileTypeNames(), ", "))
}

// isQuantized is ggml_is_quantized: block types, not plain floats.
func isQuantized(t quant.Type) bool { return t.BlockSize() > 1 }
