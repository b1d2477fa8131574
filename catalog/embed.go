// Package catalog embeds ttc's technique catalog: tactics, services,
// mitigations and one folder per technique with its Sigma rules and samples.
// The loader lives in internal/catalog; this package only carries the files.
package catalog

import "embed"

// Files holds the catalog data; its root is the catalog folder.
//
//go:embed tactics.yaml services.yaml mitigations techniques
var Files embed.FS
