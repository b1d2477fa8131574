package main

import (
	"io"
	"os"
	"strconv"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ttcproject/ttc/internal/view"
)

// outputFlag adds -o to cmd with the given formats, table first.
func outputFlag(cmd *cobra.Command, dst *string, formats []view.Format) {
	names := ""
	for i, f := range formats {
		if i > 0 {
			names += "|"
		}
		names += string(f)
	}
	cmd.Flags().StringVarP(dst, "output", "o", string(formats[0]), "output format: "+names)
}

// viewOptions sizes tables to the terminal and allows colour only on a
// terminal without NO_COLOR. COLUMNS overrides the width.
func viewOptions(w io.Writer) view.Options {
	var opts view.Options
	f, ok := w.(*os.File)
	tty := ok && term.IsTerminal(int(f.Fd()))
	if tty {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil {
			opts.Width = width
		}
		_, noColor := os.LookupEnv("NO_COLOR")
		opts.Color = !noColor
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		opts.Width = n
	}
	return opts
}

func parseFormat(s string, allowed []view.Format) (view.Format, error) {
	f, err := view.ParseFormat(s, allowed)
	if err != nil {
		return "", usagef("%v", err)
	}
	return f, nil
}
