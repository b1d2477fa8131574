// Package server is ttc's web application: server-rendered HTML pages over the
// catalog (matrix, techniques, tactics, services, mitigations, events), a log
// upload that classifies CloudTrail records, and a JSON API under /api/v1
// that serves what the pages show, described by an OpenAPI document.
//
// Everything the server shows may come from untrusted input (catalog overlays,
// uploaded logs), so pages are rendered with html/template, Markdown goes
// through a small escaping renderer, and every response carries a strict
// Content-Security-Policy.
package server
