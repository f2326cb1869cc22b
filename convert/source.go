package convert

import "github.com/ferrum-go/ferrum/quant"

// source is an input model seen the GGUF way: ordered metadata to copy
// and tensors under their GGUF names with rows in GGUF order.
type source struct {
	meta    []kv
	tensors []srcTensor
	shape   Shape
	close   func() error
}

type kv struct {
	key   string
	value any // a Go value gguf.Writer.Set accepts
}

// srcTensor is one input tensor. read returns its bytes in typ (usually a
// slice of a mapped file); it is called only while the tensor is written.
type srcTensor struct {
	name string
	dims []int64 // ne order
	typ  quant.Type
	keep quant.Type // the type it is written in when the recipe leaves it alone
	read func() ([]byte, error)
	// parts, when set instead of read, return the tensor's data in pieces
	// of whole rows, in order: a stacked expert tensor is read one expert
	// at a time so a conversion never holds a whole stack.
	parts []func() ([]byte, error)
}

// pieces is the tensor's data readers, in order.
func (t *srcTensor) pieces() []func() ([]byte, error) {
	if t.parts != nil {
		return t.parts
	}
	return []func() ([]byte, error){t.read}
}

func (t *srcTensor) elements() int64 {
	n := int64(1)
	for _, d := range t.dims {
		n *= d
	}
	return n
}
