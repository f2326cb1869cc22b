package convert

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/quant"
)

// quantizationVersion is GGML_QNT_VERSION, written as
// general.quantization_version.
const quantizationVersion = 2

// Options tune a conversion.
type Options struct {
	Type FileType
	// Name is general.name for an HF source (default: the folder's name).
	Name string
	// Threads quantize in parallel (default: GOMAXPROCS).
	Threads int
	// Progress, when set, is called before and after each tensor.
	Progress func(Progress)
}

// Progress reports one tensor of a conversion.
type Progress struct {
	Index, Count int // 1-based tensor number and total
	Tensor       TensorReport
	Done         bool  // the tensor is written (else it is starting or part-way)
	Written      int64 // tensor data bytes written so far, all tensors
	Total        int64 // tensor data bytes of the whole output
}

// TensorReport is what happened to one tensor.
type TensorReport struct {
	Name     string
	Dims     []int64 // ne order
	From, To quant.Type
	// FallbackFrom is the recipe's type when the row length forced To.
	FallbackFrom quant.Type
	Fallback     bool
	InBytes      int64
	OutBytes     int64
}

// Report summarises a conversion.
type Report struct {
	Type      FileType
	Tensors   []TensorReport // in output order
	InBytes   int64
	OutBytes  int64
	Fallbacks int
}

// Plan opens src (an HF folder or a .gguf file) and decides every tensor's
// type without writing anything.
func Plan(src string, opts Options) (*Report, error) {
	s, err := openSource(src, opts)
	if err != nil {
		return nil, err
	}
	defer s.close()
	_, rep, err := plan(s, opts)
	return rep, err
}

// Convert writes dst, a GGUF file of type opts.Type, from src: an HF folder
// (config.json + safetensors + tokenizer.json) or a .gguf file. dst is
// written through a temporary file and appears only when complete.
func Convert(src, dst string, opts Options) (*Report, error) {
	s, err := openSource(src, opts)
	if err != nil {
		return nil, err
	}
	defer s.close()
	if same, _ := sameFile(src, dst); same {
		return nil, fmt.Errorf("output %s is the input", dst)
	}
	order, rep, err := plan(s, opts)
	if err != nil {
		return nil, err
	}
	w := gguf.NewWriter()
	for _, e := range s.meta {
		if err := w.Set(e.key, e.value); err != nil {
			return nil, err
		}
	}
	// llama-quantize sets these two after copying, keeping an existing
	// key's place.
	if err := w.Set("general.quantization_version", uint32(quantizationVersion)); err != nil {
		return nil, err
	}
	if err := w.Set("general.file_type", uint32(opts.Type)); err != nil {
		return nil, err
	}
	threads := opts.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	var written int64
	for k, i := range order {
		t, tr := &s.tensors[i], rep.Tensors[k]
		k := k
		write := func(out io.Writer) error {
			if opts.Progress != nil {
				opts.Progress(Progress{Index: k + 1, Count: len(order), Tensor: tr, Written: written, Total: rep.OutBytes})
			}
			start := written
			cw := &countWriter{w: out}
			chunk := func() {
				if opts.Progress != nil {
					opts.Progress(Progress{Index: k + 1, Count: len(order), Tensor: tr, Written: start + cw.n, Total: rep.OutBytes})
				}
			}
			if err := writeTensor(cw, t, tr.To, threads, chunk); err != nil {
				return fmt.Errorf("tensor %s: %w", t.name, err)
			}
			written = start + cw.n
			if opts.Progress != nil {
				opts.Progress(Progress{Index: k + 1, Count: len(order), Tensor: tr, Done: true, Written: written, Total: rep.OutBytes})
			}
			return nil
		}
		if err := w.AddTensorFunc(t.name, tr.To, t.dims, write, tr.OutBytes); err != nil {
			return nil, err
		}
	}
	if err := w.WriteFile(dst); err != nil {
		return nil, err
	}
	// The temporary file it was written through is private; a model file
	// is readable like any other output.
	if err := os.Chmod(dst, 0o644); err != nil {
		return nil, err
	}
	return rep, nil
}

func openSource(src string, opts Options) (*source, error) {
	if _, ok := fileTypes[opts.Type]; !ok {
		return nil, fmt.Errorf("unknown quantization type %d (supported: %s)", uint32(opts.Type), strings.Join(FileTypeNames(), ", "))
	}
	st, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return openHF(src, opts.Name)
	}
	if strings.EqualFold(filepath.Ext(src), ".gguf") {
		return openGGUF(src)
	}
	return nil, fmt.Errorf("%s: want an HF model folder (config.json, *.safetensors, tokenizer.json) or a .gguf file", src)
}

// plan runs the recipe and returns the output order (llama.cpp's loader
// order) with each tensor's report.
func plan(s *source, opts Options) ([]int, *Report, error) {
	descs := make([]TensorDesc, len(s.tensors))
	for i, t := range s.tensors {
		descs[i] = TensorDesc{Name: t.name, Dims: t.dims, Keep: t.keep}
	}
	choices, err := Recipe(opts.Type, s.shape, descs)
	if err != nil {
		return nil, nil, err
	}
	order := llamaOrder(descs)
	rep := &Report{Type: opts.Type}
	for _, i := range order {
		t, c := &s.tensors[i], choices[i]
		n := t.elements()
		in, err := quant.RowBytes(t.typ, n)
		if err != nil {
			return nil, nil, fmt.Errorf("tensor %s: %w", t.name, err)
		}
		if !quant.CanDequantize(t.typ) && c.Type != t.typ {
			return nil, nil, fmt.Errorf("tensor %s: cannot convert from %s (no decoder)", t.name, t.typ)
		}
		if c.Type != t.typ && !quant.CanQuantize(c.Type) {
			return nil, nil, fmt.Errorf("tensor %s: no encoder for %s", t.name, c.Type)
		}
		out, err := quant.RowBytes(c.Type, n)
		if err != nil {
			return nil, nil, fmt.Errorf("tensor %s: %w", t.name, err)
		}
		rep.Tensors = append(rep.Tensors, TensorReport{Name: t.name, Dims: t.dims, From: t.typ, To: c.Type,
			FallbackFrom: c.FallbackFrom, Fallback: c.Fallback, InBytes: in, OutBytes: out})
		rep.InBytes += in
		rep.OutBytes += out
		if c.Fallback {
			rep.Fallbacks++
		}
	}
	return order, rep, nil
}

// chunkElems bounds the floats one conversion step holds per tensor, so a
// tensor of any size streams through a fixed amount of memory.
const chunkElems = 1 << 22

// writeTensor converts one tensor row chunk by row chunk, the rows of a
// chunk shared among threads (whole blocks per row, so any split of rows
// encodes as ggml encodes the whole matrix).
// chunkDone is called after each chunk is written, for progress within
// large tensors.
func writeTensor(out io.Writer, t *srcTensor, to quant.Type, threads int, chunkDone func()) error {
	n := t.elements()
	cols := t.dims[0]
	inRow, err := quant.RowBytes(t.typ, cols)
	if err != nil {
		return err
	}
	want, _ := quant.RowBytes(t.typ, n)
	var got int64
	pieces := t.pieces()
	for i, read := range pieces {
		data, err := read()
		if err != nil {
			return err
		}
		got += int64(len(data))
		if got > want || int64(len(data))%max(inRow, 1) != 0 {
			return fmt.Errorf("%d bytes of data, %s %v takes %d", got, t.typ, t.dims, want)
		}
		if err := writeRows(out, data, t.typ, to, cols, threads, chunkDone); err != nil {
			return err
		}
		if i < len(pieces)-1 {
			chunkDone()
		}
	}
	if got != want {
		return fmt.Errorf("%d bytes of data, %s %v takes %d", got, t.typ, t.dims, want)
	}
	return nil
}

// writeRows converts whole rows of cols elements from type from to type to.
func writeRows(out io.Writer, data []byte, from, to quant.Type, cols int64, threads int, chunkDone func()) error {
	if to == from {
		_, err := out.Write(data)
		return err
	}
	inRow, _ := quant.RowBytes(from, cols)
	outRow, _ := quant.RowBytes(to, cols)
	rows := int64(len(data)) / max(inRow, 1)
	chunkRows := max(1, int64(chunkElems)/max(cols, 1))
	buf := make([]byte, min(chunkRows, rows)*outRow)
	scratch := make([][]float32, threads)
	for r0 := int64(0); r0 < rows; r0 += chunkRows {
		r1 := min(r0+chunkRows, rows)
		part := (r1 - r0 + int64(threads) - 1) / int64(threads)
		var wg sync.WaitGroup
		errs := make([]error, threads)
		for w := 0; w < threads; w++ {
			a, b := r0+int64(w)*part, min(r0+int64(w+1)*part, r1)
			if a >= b {
				break
			}
			wg.Add(1)
			go func(w int, a, b int64) {
				defer wg.Done()
				need := int((b - a) * cols)
				if cap(scratch[w]) < need {
					scratch[w] = make([]float32, need)
				}
				f := scratch[w][:need]
				if err := quant.Dequantize(from, data[a*inRow:b*inRow], f); err != nil {
					errs[w] = err
					return
				}
				dst := buf[(a-r0)*outRow : (b-r0)*outRow]
				if err := quant.Quantize(to, f, dst); err != nil {
					errs[w] = err
					return
				}
				if err := quant.Validate(to, dst); err != nil {
					errs[w] = fmt.Errorf("rows %d..%d: %w", a, b, err)
				}
			}(w, a, b)
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		if _, err := out.Write(buf[:(r1-r0)*outRow]); err != nil {
			return err
		}
		if r1 < rows {
			chunkDone()
		}
	}
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func sameFile(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}
