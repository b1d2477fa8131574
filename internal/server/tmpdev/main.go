package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/server"
)

func main() {
	srcs := []catalog.Source{{FS: os.DirFS(os.Args[1]), Dir: ".", Label: "fixture"}}
	for _, o := range os.Args[3:] {
		srcs = append(srcs, catalog.Overlay(o))
	}
	c, err := catalog.Load(srcs...)
	if err != nil {
		panic(err)
	}
	s, err := server.New(server.Config{Addr: os.Args[2], Catalog: c, Log: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	if err != nil {
		panic(err)
	}
	panic(s.ListenAndServe(context.Background()))
}
