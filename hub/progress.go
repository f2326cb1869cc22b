package hub

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferrum-go/ferrum/internal/term"
)

// progress draws one bar per file being downloaded and one for the total.
// On a terminal it redraws in place a few times a second; otherwise it
// writes a line when a file finishes and a total line at most every
// plainEvery, so logs stay short. A nil *progress draws nothing.
type progress struct {
	w          io.Writer
	tty        bool
	plainEvery time.Duration
	now        func() time.Time

	mu        sync.Mutex
	bars      []*fileBar
	start     time.Time
	lastPlain time.Time
	lastBytes int64
	drawn     int // lines of live bars on screen, to move the cursor back over
	stop      chan struct{}
	stopped   chan struct{}
}

// fileBar tracks one file. done is updated from download goroutines
// without the lock; the renderer reads it atomically.
type fileBar struct {
	name    string
	size    atomic.Int64 // -1 when unknown
	done    atomic.Int64
	state   atomic.Int32
	printed bool // the finished line has been written (guarded by progress.mu)
}

const (
	barWaiting int32 = iota
	barActive
	barDone
	barCached
	barFailed
)

func newProgress(w io.Writer) *progress {
	if w == nil {
		return nil
	}
	return &progress{w: w, tty: isTerminal(w), plainEvery: 10 * time.Second, now: time.Now}
}

// isTerminal is true for a tty; TERM=dumb (editors, CI) gets plain lines.
func isTerminal(w io.Writer) bool { return term.IsInteractive(w) }

func (p *progress) add(name string, size int64) *fileBar {
	b := &fileBar{name: name}
	b.size.Store(size)
	if p == nil {
		return b
	}
	p.mu.Lock()
	p.bars = append(p.bars, b)
	p.mu.Unlock()
	return b
}

// begin starts the redraw loop.
func (p *progress) begin() {
	if p == nil {
		return
	}
	p.start = p.now()
	p.lastPlain = p.start
	p.stop = make(chan struct{})
	p.stopped = make(chan struct{})
	every := p.plainEvery
	if p.tty {
		every = 150 * time.Millisecond
	}
	go func() {
		defer close(p.stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.render(false)
			}
		}
	}()
}

// finish draws the final state and a summary line.
func (p *progress) finish(err error) {
	if p == nil || p.stop == nil {
		return
	}
	close(p.stop)
	<-p.stopped
	p.render(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	done, total, n := p.totals()
	elapsed := p.now().Sub(p.start)
	if err != nil {
		fmt.Fprintf(p.w, "stopped after %s of %s: %v\n", HumanBytes(done), HumanBytes(total), err)
		return
	}
	fmt.Fprintf(p.w, "%d files, %s in %s\n", n, HumanBytes(total), elapsed.Round(100*time.Millisecond))
}

func (p *progress) totals() (done, total int64, files int) {
	for _, b := range p.bars {
		d := b.done.Load()
		done += d
		if size := b.size.Load(); size >= 0 {
			total += size
		} else {
			total += d
		}
	}
	return done, total, len(p.bars)
}

func (p *progress) render(final bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		p.renderTTY(final)
	} else {
		p.renderPlain(final)
	}
}

// renderTTY prints finished files once, above the live bars, then redraws
// the bars of files in flight and the total.
func (p *progress) renderTTY(final bool) {
	var sb strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&sb, "\x1b[%dA\r\x1b[J", p.drawn)
	}
	p.drawn = 0
	p.finishedLines(&sb)
	if !final {
		for _, b := range p.bars {
			if b.state.Load() == barActive {
				sb.WriteString(barLine(b.name, b.done.Load(), b.size.Load()) + "\n")
				p.drawn++
			}
		}
		done, total, _ := p.totals()
		sb.WriteString(barLine("total", done, total) + p.rate(done) + "\n")
		p.drawn++
	}
	io.WriteString(p.w, sb.String())
}

func (p *progress) renderPlain(final bool) {
	var sb strings.Builder
	p.finishedLines(&sb)
	done, total, _ := p.totals()
	now := p.now()
	if !final && done != p.lastBytes && now.Sub(p.lastPlain) >= p.plainEvery {
		fmt.Fprintf(&sb, "total %s of %s (%s)%s\n", HumanBytes(done), HumanBytes(total), percent(done, total), p.rate(done))
		p.lastPlain = now
		p.lastBytes = done
	}
	io.WriteString(p.w, sb.String())
}

func (p *progress) finishedLines(sb *strings.Builder) {
	for _, b := range p.bars {
		if b.printed {
			continue
		}
		switch b.state.Load() {
		case barDone:
			fmt.Fprintf(sb, "  %-50s %10s  done\n", shorten(b.name, 50), HumanBytes(b.done.Load()))
		case barCached:
			fmt.Fprintf(sb, "  %-50s %10s  cached\n", shorten(b.name, 50), HumanBytes(b.done.Load()))
		case barFailed:
			fmt.Fprintf(sb, "  %-50s %10s  failed\n", shorten(b.name, 50), HumanBytes(b.done.Load()))
		default:
			continue
		}
		b.printed = true
	}
}

func (p *progress) rate(done int64) string {
	secs := p.now().Sub(p.start).Seconds()
	if secs < 0.5 || done == 0 {
		return ""
	}
	return fmt.Sprintf("  %s/s", HumanBytes(int64(float64(done)/secs)))
}

// barLine fits in 79 columns, so that a redraw never wraps on an 80-column
// terminal (wrapped lines would break moving the cursor back up).
func barLine(name string, done, size int64) string {
	const width = 14
	fill := 0
	if size > 0 {
		fill = int(min(done, size) * width / size)
	}
	bar := strings.Repeat("=", fill) + strings.Repeat(" ", width-fill)
	return fmt.Sprintf("  %-22s [%s] %4s %9s/%-9s", shorten(name, 22), bar, percent(done, size), HumanBytes(done), HumanBytes(size))
}

func percent(done, total int64) string {
	if total <= 0 {
		return "?%"
	}
	return fmt.Sprintf("%d%%", min(done, total)*100/total)
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return "…" + string(r[len(r)-n+1:])
}

// HumanBytes writes a size in decimal units, as the hub's web pages do
// (and Ollama's list): "512 B", "1.5 MB"; "?" for a negative size.
func HumanBytes(n int64) string {
	if n < 0 {
		return "?"
	}
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}

func (b *fileBar) setState(s int32)   { b.state.Store(s) }
func (b *fileBar) addBytes(n int64)   { b.done.Add(n) }
func (b *fileBar) setBytes(n int64)   { b.done.Store(n) }
func (b *fileBar) setSize(size int64) { b.size.Store(size) }
