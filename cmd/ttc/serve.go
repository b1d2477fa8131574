package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ttcproject/ttc/internal/server"
)

// serveOptions are the flags of ttc serve.
type serveOptions struct {
	addr      string
	maxUpload int64
}

func newServeCmd(a *app) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the catalog as a web application and JSON API",
		Long: `Serve the catalog as a web application (matrix, techniques, tactics, services,
mitigations, log upload) and as JSON under /api/v1, described at /api/v1/openapi.json.

The server listens on loopback by default. It stops gracefully on SIGINT or SIGTERM.`,
		Example: "  ttc serve\n  ttc serve --addr 127.0.0.1:9000 --catalog ./my-techniques",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runServe(ctx, a, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.addr, "addr", server.DefaultAddr, "address to listen on (host:port)")
	o.maxUpload = server.DefaultMaxUpload
	fl.Var(decimalFlag[int64]{&o.maxUpload}, "max-upload", "largest log file accepted by the scan page, in bytes")
	return cmd
}

func runServe(ctx context.Context, a *app, o serveOptions) error {
	c, err := a.catalog()
	if err != nil {
		return err
	}
	if o.maxUpload <= 0 || o.maxUpload > server.MaxUploadLimit {
		return usagef("--max-upload: %d: want 1 to %d bytes", o.maxUpload, int64(server.MaxUploadLimit))
	}
	cfg := server.Config{Addr: o.addr, Catalog: c, Log: a.log, MaxUpload: o.maxUpload}
	if ds, err := a.attackData(""); err == nil && ds != nil {
		cfg.AttackParent = a.attackParent
		a.log.Info("showing ATT&CK data", "attack_version", ds.Version)
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		a.log.Warn("listening beyond this machine: anyone who can reach the address can read the catalog and upload logs to scan", "addr", ln.Addr().String())
	}
	fmt.Fprintf(a.stderr, "ttc: serving on http://%s (Ctrl-C stops)\n", ln.Addr())
	return srv.Serve(ctx, ln)
}
