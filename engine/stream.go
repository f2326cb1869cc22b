package engine

import (
	"context"
	"sync"
)

// outbox carries one request's events from the scheduler to its reader.
// The scheduler never blocks on it: events queue here and a forwarding
// goroutine per request hands them to the reader's channel.
type outbox struct {
	mu     sync.Mutex
	queue  []Event
	closed bool // the scheduler is done with the request (blocks released)
	notify chan struct{}
}

func newOutbox() *outbox { return &outbox{notify: make(chan struct{}, 1)} }

func (o *outbox) push(ev Event) {
	o.mu.Lock()
	o.queue = append(o.queue, ev)
	o.mu.Unlock()
	o.signal()
}

// close marks the end; ev events pushed before it are still delivered.
func (o *outbox) close() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	o.signal()
}

func (o *outbox) signal() {
	select {
	case o.notify <- struct{}{}:
	default:
	}
}

// forward delivers events to out until the scheduler closes the outbox,
// then closes out. Once ctx is cancelled it wakes the scheduler (poke) so
// the request is reaped, and stops blocking on the reader: remaining events
// are offered without waiting, so a reader that walked away leaks nothing.
func (o *outbox) forward(ctx context.Context, out chan<- Event, poke func()) {
	defer close(out)
	done := ctx.Done()
	cancelled := false
	cancel := func() {
		if !cancelled {
			cancelled = true
			done = nil
			poke()
		}
	}
	for {
		o.mu.Lock()
		evs, closed := o.queue, o.closed
		o.queue = nil
		o.mu.Unlock()
		for _, ev := range evs {
			if cancelled {
				select {
				case out <- ev:
				default:
				}
				continue
			}
			select {
			case out <- ev:
			case <-done:
				cancel()
				select {
				case out <- ev:
				default:
				}
			}
		}
		if closed {
			return
		}
		select {
		case <-o.notify:
		case <-done:
			cancel()
		}
	}
}
