package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
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

The server listens on loopback by default. On a loopback address it answers only
requests whose Host is localhost (or a name under it) or a loopback address, with
421 to any other, so that a web page cannot reach it through a DNS name pointed at
127.0.0.1.

An upload (one file as the request body, or up to 1,000 as a form's file parts,
scanned together) may be --max-upload bytes, its files together; it is received
whole before it is scanned, 32 uploads at a time, and a sender that has not sent
32 KiB for each second past its first 10 s is cut off (408). A scan reads up to 32
times --max-upload decompressed (1 GiB at the default), for up to 60 s, two at a
time. It stops gracefully on SIGINT or SIGTERM.`,
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
	fl.Var(decimalFlag[int64]{&o.maxUpload}, "max-upload", "largest upload accepted by the scan page, its files together, in bytes")
	return cmd
}

func runServe(ctx context.Context, a *app, o serveOptions) error {
	if err := checkAddr(o.addr); err != nil {
		return err
	}
	if o.maxUpload <= 0 || o.maxUpload > server.MaxUploadLimit {
		return usagef("--max-upload: %d: want 1 to %d bytes", o.maxUpload, int64(server.MaxUploadLimit))
	}
	// A server's log is kept and read by time: slog's text, with it, from
	// the catalog's loading on.
	a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: a.level}))
	c, err := a.catalog()
	if err != nil {
		return err
	}
	cfg := server.Config{Addr: o.addr, Catalog: c, Log: a.log, MaxUpload: o.maxUpload}
	if ds, err := a.attackData(""); err == nil && ds != nil {
		cfg.AttackParent, cfg.AttackMitigationNames = a.attackParent, a.attackMitigationNames
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

// checkAddr refuses an --addr that is no host:port, before any work: a
// mistyped address is a usage error, where one that cannot be listened on
// (in use, not this machine's) fails when the server starts.
func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("--addr \"%s\": want host:port, as 127.0.0.1:8080 or :8080", addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return usagef("--addr \"%s\": the port must be a number from 0 to 65535", addr)
	}
	return nil
}
