// Package stix holds the STIX 2.0/2.1 object shapes that MITRE ATT&CK uses,
// decodes bundles of them, and exports the catalog as one STIX 2.1 bundle that
// follows ATT&CK's own conventions so ATT&CK tools can read it.
package stix
