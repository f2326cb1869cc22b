// Package mmap maps files read-only into memory, so weight files are never
// copied onto the Go heap and files larger than RAM still open.
package mmap

import (
	"fmt"
	"os"
	"syscall"
)

// File is a read-only memory mapping of a whole file.
type File struct {
	Path string
	data []byte
}

// Open maps the file at path. An empty file maps to an empty slice.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	size := st.Size()
	if size == 0 {
		return &File{Path: path}, nil
	}
	if int64(int(size)) != size {
		return nil, fmt.Errorf("%s: file of %d bytes is too large to map", path, size)
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("%s: mmap: %w", path, err)
	}
	return &File{Path: path, data: data}, nil
}

// Bytes returns the mapped contents. The slice is read-only: writing to it
// faults. It is valid until Close.
func (m *File) Bytes() []byte { return m.data }

// Len is the file's size in bytes.
func (m *File) Len() int { return len(m.data) }

// Close unmaps the file. Slices from Bytes must not be used afterwards.
func (m *File) Close() error {
	if m == nil || m.data == nil {
		return nil
	}
	err := syscall.Munmap(m.data)
	m.data = nil
	return err
}
