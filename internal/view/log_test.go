package view

import (
	"bytes"
	"errors"
	"log/slog"
	"testing"
)

func TestLogHandler(t *testing.T) {
	cases := []struct {
		name string
		log  func(*slog.Logger)
		want string
	}{
		{"plain", func(l *slog.Logger) { l.Warn("rules share an id", "rules", 2, "first", "a/b.yml") },
			"ttc: warning: rules share an id (rules=2, first=a/b.yml)\n"},
		{"no attributes", func(l *slog.Logger) { l.Error("scan stopped") }, "ttc: error: scan stopped\n"},
		{"values quoted", func(l *slog.Logger) {
			l.Info("file done", "file", "my logs/x.json", "empty", "")
		}, `ttc: info: file done (file="my logs/x.json", empty="")` + "\n"},
		{"a sentence after the message", func(l *slog.Logger) {
			l.Error("rule not used", "error", errors.New(`a.yml:8:5: unknown modifier "x"`+"\n"), "rule", "a.yml")
		}, `ttc: error: rule not used: a.yml:8:5: unknown modifier "x"\n (rule=a.yml)` + "\n"},
		{"hostile text escaped", func(l *slog.Logger) {
			l.Warn("record\nforged: line", "file", "evil\u202egpj.json", "x\x1b[2J", "\xff")
		}, `ttc: warning: record\nforged: line (file="evil\u202egpj.json", "x\x1b[2J"="\xff")` + "\n"},
		{"a value cannot forge another", func(l *slog.Logger) { l.Warn("m", "a", "1, b=2") },
			`ttc: warning: m (a="1, b=2")` + "\n"},
		{"DEL quoted", func(l *slog.Logger) { l.Warn("m", "a", "x\x7fy") }, `ttc: warning: m (a="x\x7fy")` + "\n"},
		// As every report escapes it: \x07, not Go's \a; a quote and a backslash stay apart.
		{"BEL as the reports write it", func(l *slog.Logger) { l.Warn("m", "file", "a\ab\"c\\d") },
			`ttc: warning: m (file="a\x07b\"c\\d")` + "\n"},
		{"groups and attributes given before", func(l *slog.Logger) {
			l.With("scan", 1).WithGroup("rule").Warn("m", "id", "x", slog.Group("at", "line", 3))
		}, "ttc: warning: m (scan=1, rule.id=x, rule.at.line=3)\n"},
		{"below the level", func(l *slog.Logger) { l.Debug("per record") }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			tc.log(slog.New(NewLogHandler(&b, slog.LevelInfo)))
			if b.String() != tc.want {
				t.Errorf("got  %q\nwant %q", b.String(), tc.want)
			}
		})
	}
}
