package attack

import "errors"

// Sentinel errors, tested with errors.Is.
var (
	// ErrNoATTACK means the data held no ATT&CK matrix or techniques for the domain.
	ErrNoATTACK = errors.New("no ATT&CK matrix or techniques found")
	// ErrNoVersion means the ATT&CK version is unknown: the data has no
	// x-mitre-collection and none was given. The hint is to pass the version.
	ErrNoVersion = errors.New("ATT&CK version unknown: the data names none, pass it explicitly")
	// ErrNotImported means the data directory holds no (or not that) ATT&CK version.
	ErrNotImported = errors.New("ATT&CK version not imported")
	// ErrNoAttackID means a catalog ID has no ATT&CK equivalent (AT####) or
	// ATT&CK does not know it.
	ErrNoAttackID = errors.New("no ATT&CK technique for this ID")
)
