// Package view renders catalog data for people and programs: terminal
// tables, Markdown, and versioned JSON and YAML documents. The CLI and the
// web API share the document types, so both say the same thing.
package view
