// Package catalog loads, validates and indexes the technique catalog.
//
// The catalog is data: tactics, services, mitigations and one folder per
// technique (see docs/catalog-format.md). Load reads the embedded catalog and
// any overlay folders, checks everything at once and returns either a Catalog
// ready for lookups and filtering, or a *LoadError listing every problem with
// its file and line.
package catalog
