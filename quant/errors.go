package quant

import (
	"errors"
	"fmt"
)

// ErrUnsupported matches (with errors.Is) every UnsupportedError.
var ErrUnsupported = errors.New("unsupported quantization type")

// UnsupportedError says this package cannot encode or decode a type.
type UnsupportedError struct{ Type Type }

func (e UnsupportedError) Error() string { return "unsupported quantization type " + e.Type.String() }

// Is lets errors.Is(err, ErrUnsupported) match.
func (e UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

// InTensor names the tensor an error is about, so an UnsupportedError reads
// "unsupported quantization type X in tensor Y". The result still unwraps to
// err. A nil err stays nil.
func InTensor(err error, tensor string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w in tensor %s", err, tensor)
}
