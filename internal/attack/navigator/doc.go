// Package navigator reads, writes, validates and builds ATT&CK Navigator
// layers (layer format 4.5).
//
// Layers built from the catalog carry only IDs ATT&CK knows: Navigator drops
// the rest, so AWS-specific sub-techniques (T1485.A003) are rolled up to their
// ATT&CK parent with their own IDs kept in comments and metadata, and
// AWS-defined techniques (AT1667) go to the layer's description and metadata.
package navigator
