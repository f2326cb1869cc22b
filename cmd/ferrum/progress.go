package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/ferrum-go/ferrum/convert"
	"github.com/ferrum-go/ferrum/internal/term"
)

type progressKind int

const (
	progressNone progressKind = iota
	progressLines
	progressBar
)

// progressMode resolves --progress; "auto" draws a bar only when w is a
// terminal, so logs and pipes get one plain line per tensor.
func progressMode(flag string, w io.Writer) (progressKind, error) {
	switch flag {
	case "none":
		return progressNone, nil
	case "lines":
		return progressLines, nil
	case "bar":
		return progressBar, nil
	case "auto":
		if term.IsTerminal(w) {
			return progressBar, nil
		}
		return progressLines, nil
	}
	return 0, fmt.Errorf("--progress %q: want auto, bar, lines or none", flag)
}

// progressPrinter draws quantize's progress: "[i/N] tensor type -> type"
// lines, or one redrawn bar line with tensor count and bytes.
type progressPrinter struct {
	w     io.Writer
	mode  progressKind
	drawn bool
}

func (p *progressPrinter) update(ev convert.Progress) {
	t := ev.Tensor
	switch p.mode {
	case progressLines:
		if !ev.Done {
			return
		}
		fb := ""
		if t.Fallback {
			fb = " (fallback from " + t.FallbackFrom.String() + ")"
		}
		fmt.Fprintf(p.w, "[%*d/%d] %-32s %-14s %6s -> %-6s%s  %s\n", len(fmt.Sprint(ev.Count)), ev.Index, ev.Count,
			t.Name, fmt.Sprint(t.Dims), t.From, t.To, fb, humanBytes(t.OutBytes))
	case progressBar:
		const width = 30
		frac := 1.0
		if ev.Total > 0 {
			frac = float64(ev.Written) / float64(ev.Total)
		}
		fill := int(frac * width)
		fmt.Fprintf(p.w, "\r\x1b[K[%s%s] %3.0f%% %d/%d %s / %s  %s -> %s", strings.Repeat("=", fill), strings.Repeat(" ", width-fill),
			100*frac, ev.Index, ev.Count, humanBytes(ev.Written), humanBytes(ev.Total), t.Name, t.To)
		p.drawn = true
	}
}

func (p *progressPrinter) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
