// Package attack imports MITRE ATT&CK from STIX, keeps imported versions side
// by side in a data directory, checks the catalog's technique IDs against an
// imported version, and tags Sigma rules with ATT&CK and catalog IDs.
//
// ATT&CK data is never shipped with ttc: a Dataset is the normalised form of
// one ATT&CK release as the user imported it. Its subpackages export the
// catalog: stix as a STIX 2.1 bundle, navigator as ATT&CK Navigator layers.
package attack
