package sample

import "strings"

// StopStrings finds stop strings in streamed text. Text is pushed as it is
// decoded; what comes back is safe to show: it never contains a stop
// string, and text that could still turn out to be the start of one is
// held back until the next push decides. A stop string split over several
// tokens is therefore found, and never shown.
type StopStrings struct {
	stops   []string
	pending string
	matched string
}

// NewStopStrings matches the given (non-empty) strings.
func NewStopStrings(stops []string) *StopStrings {
	m := &StopStrings{}
	for _, s := range stops {
		if s != "" {
			m.stops = append(m.stops, s)
		}
	}
	return m
}

// Push adds text. It returns the text now safe to emit and, when a stop
// string was found, stopped = true: the text up to the stop string is
// returned and everything after is dropped.
func (m *StopStrings) Push(text string) (out string, stopped bool) {
	if len(m.stops) == 0 {
		return text, false
	}
	m.pending += text
	first := -1
	for _, s := range m.stops {
		if i := strings.Index(m.pending, s); i >= 0 && (first < 0 || i < first) {
			first = i
			m.matched = s
		}
	}
	if first >= 0 {
		out = m.pending[:first]
		m.pending = ""
		return out, true
	}
	hold := 0
	for _, s := range m.stops {
		hold = max(hold, overlap(m.pending, s))
	}
	cut := len(m.pending) - hold
	out, m.pending = m.pending[:cut], m.pending[cut:]
	return out, false
}

// Matched is the stop string found, once Push reported one.
func (m *StopStrings) Matched() string { return m.matched }

// Flush returns the held-back text once no more will come.
func (m *StopStrings) Flush() string {
	out := m.pending
	m.pending = ""
	return out
}

// overlap is the length of the longest proper prefix of stop that text
// ends with.
func overlap(text, stop string) int {
	for n := min(len(stop)-1, len(text)); n > 0; n-- {
		if strings.HasSuffix(text, stop[:n]) {
			return n
		}
	}
	return 0
}
