package view

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"unicode/utf8"
)

// LogHandler writes diagnostics for a person at a terminal, one line
// each: "ttc: warning: rules share an id (rules=2, first=a.yml)". Its
// keys are slog's, as a machine would read them, but there is no time
// (a command's diagnostics come as it runs) and the level is a word. An
// error, problem or reason given with the record (not by WithAttrs) is a
// sentence, and follows the message after a colon: "ttc: error: rule not
// used: a.yml:8:5: unknown modifier". A sentence is escaped but not
// quoted, so text in it may look like the (key=value) list after it;
// the values in that list cannot.
// Messages and values often quote log content or file names, so every
// one is escaped: a message and a sentence as Line escapes them, another
// value that is not a plain word Go-quoted (its controls, bidirectional
// overrides and bytes that are not UTF-8 as escapes).
type LogHandler struct {
	w      io.Writer
	level  slog.Leveler
	mu     *sync.Mutex
	attrs  string // written already, by WithAttrs
	prefix string // the groups' names, each followed by a dot
}

// NewLogHandler returns a LogHandler writing to w what is at level or
// above.
func NewLogHandler(w io.Writer, level slog.Leveler) *LogHandler {
	return &LogHandler{w: w, level: level, mu: &sync.Mutex{}}
}

// Enabled implements slog.Handler.
func (h *LogHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.level.Level()
}

// Handle implements slog.Handler.
func (h *LogHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString("ttc: ")
	b.WriteString(levelWord(r.Level))
	b.WriteString(": ")
	b.WriteString(Line(r.Message))
	attrs := h.attrs
	r.Attrs(func(a slog.Attr) bool {
		if h.prefix == "" && sentenceKeys[a.Key] && a.Value.Kind() != slog.KindGroup {
			b.WriteString(": ")
			b.WriteString(Line(a.Value.Resolve().String()))
			return true
		}
		attrs = appendAttr(attrs, h.prefix, a)
		return true
	})
	if attrs != "" {
		b.WriteString(" (")
		b.WriteString(attrs)
		b.WriteString(")")
	}
	b.WriteString("\n")
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

// WithAttrs implements slog.Handler.
func (h *LogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	for _, a := range as {
		c.attrs = appendAttr(c.attrs, h.prefix, a)
	}
	return &c
}

// WithGroup implements slog.Handler.
func (h *LogHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.prefix += name + "."
	return &c
}

// sentenceKeys are the keys whose values are sentences (see LogHandler).
var sentenceKeys = map[string]bool{"error": true, "problem": true, "reason": true}

// levelWord names a level as a person says it.
func levelWord(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "error"
	case l >= slog.LevelWarn:
		return "warning"
	case l >= slog.LevelInfo:
		return "info"
	default:
		return "debug"
	}
}

// appendAttr adds key=value to a list of them, a group's attributes with
// its name before each key; an empty attribute is left out, as slog's
// handlers leave it.
func appendAttr(s, prefix string, a slog.Attr) string {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return s
	}
	if a.Value.Kind() == slog.KindGroup {
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, g := range a.Value.Group() {
			s = appendAttr(s, prefix, g)
		}
		return s
	}
	if s != "" {
		s += ", "
	}
	return s + logValue(prefix+a.Key) + "=" + logValue(a.Value.String())
}

// logValue writes v as it is when it is a plain word, else quoted, with
// Line's escapes (a BEL is \x07 here as in every report, where Go's %q
// would write \a) and a quote written \".
func logValue(v string) string {
	if v != "" && utf8.ValidString(v) && !strings.ContainsFunc(v, func(r rune) bool {
		return r <= ' ' || r == 0x7f || r == '"' || r == '=' || r == ',' || r == '(' || r == ')' || r == '\\' || r >= utf8.RuneSelf
	}) {
		return v
	}
	return `"` + strings.ReplaceAll(escape(v, keepEdges), `"`, `\"`) + `"`
}
