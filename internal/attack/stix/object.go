package stix

// Object is one STIX object with the union of the properties ATT&CK uses.
// Unknown properties are ignored when decoding. Optional booleans are pointers
// so that an explicit false survives a round trip.
type Object struct {
	Type               string              `json:"type"`
	SpecVersion        string              `json:"spec_version,omitempty"`
	ID                 string              `json:"id"`
	Created            string              `json:"created,omitempty"`
	Modified           string              `json:"modified,omitempty"`
	CreatedByRef       string              `json:"created_by_ref,omitempty"`
	Revoked            *bool               `json:"revoked,omitempty"`
	ExternalReferences []ExternalReference `json:"external_references,omitempty"`
	ObjectMarkingRefs  []string            `json:"object_marking_refs,omitempty"`
	Name               string              `json:"name,omitempty"`
	Description        string              `json:"description,omitempty"`

	// attack-pattern
	KillChainPhases []KillChainPhase `json:"kill_chain_phases,omitempty"`
	Platforms       []string         `json:"x_mitre_platforms,omitempty"`
	IsSubtechnique  *bool            `json:"x_mitre_is_subtechnique,omitempty"`
	Detection       string           `json:"x_mitre_detection,omitempty"`

	// x-mitre-tactic and x-mitre-matrix
	Shortname  string   `json:"x_mitre_shortname,omitempty"`
	TacticRefs []string `json:"tactic_refs,omitempty"`

	// relationship
	RelationshipType string `json:"relationship_type,omitempty"`
	SourceRef        string `json:"source_ref,omitempty"`
	TargetRef        string `json:"target_ref,omitempty"`

	// x-mitre-collection
	Contents []ContentRef `json:"x_mitre_contents,omitempty"`

	// x-mitre-data-component (up to ATT&CK v17 and, deprecated, v18)
	DataSourceRef string      `json:"x_mitre_data_source_ref,omitempty"`
	LogSources    []LogSource `json:"x_mitre_log_sources,omitempty"`

	// x-mitre-detection-strategy and x-mitre-analytic (from ATT&CK v18)
	AnalyticRefs        []string             `json:"x_mitre_analytic_refs,omitempty"`
	LogSourceReferences []LogSourceReference `json:"x_mitre_log_source_references,omitempty"`
	MutableElements     []MutableElement     `json:"x_mitre_mutable_elements,omitempty"`

	// identity and marking-definition
	IdentityClass  string      `json:"identity_class,omitempty"`
	DefinitionType string      `json:"definition_type,omitempty"`
	Definition     *Definition `json:"definition,omitempty"`

	// ATT&CK's common extensions
	Deprecated        *bool    `json:"x_mitre_deprecated,omitempty"`
	Version           string   `json:"x_mitre_version,omitempty"`
	AttackSpecVersion string   `json:"x_mitre_attack_spec_version,omitempty"`
	Domains           []string `json:"x_mitre_domains,omitempty"`
	ModifiedByRef     string   `json:"x_mitre_modified_by_ref,omitempty"`
}

// ExternalReference is a citation or, for source_name "mitre-attack", the
// object's ATT&CK ID and page.
type ExternalReference struct {
	SourceName  string `json:"source_name"`
	ExternalID  string `json:"external_id,omitempty"`
	URL         string `json:"url,omitempty"`
	Description string `json:"description,omitempty"`
}

// KillChainPhase places a technique under a tactic (phase_name = tactic shortname).
type KillChainPhase struct {
	KillChainName string `json:"kill_chain_name"`
	PhaseName     string `json:"phase_name"`
}

// ContentRef lists one object of a collection and the version it has there.
type ContentRef struct {
	ObjectRef      string `json:"object_ref"`
	ObjectModified string `json:"object_modified"`
}

// LogSource is a data component's log source (name and channel).
type LogSource struct {
	Name    string `json:"name"`
	Channel string `json:"channel"`
}

// LogSourceReference is an analytic's pointer to the data component and log
// source it reads.
type LogSourceReference struct {
	DataComponentRef string `json:"x_mitre_data_component_ref"`
	Name             string `json:"name"`
	Channel          string `json:"channel"`
}

// MutableElement is an analytic's tunable field.
type MutableElement struct {
	Field       string `json:"field"`
	Description string `json:"description"`
}

// Definition is a statement marking's text.
type Definition struct {
	Statement string `json:"statement"`
}

// The source_name ATT&CK uses for its own IDs, and the kill chain names per domain.
const (
	SourceATTACK        = "mitre-attack"
	KillChainEnterprise = "mitre-attack"
)

// ExternalID returns the external_id of the first reference from source, or "".
func (o *Object) ExternalID(source string) (id, url string) {
	for _, r := range o.ExternalReferences {
		if r.SourceName == source && r.ExternalID != "" {
			return r.ExternalID, r.URL
		}
	}
	return "", ""
}

// IsRevoked reports whether the object is marked revoked.
func (o *Object) IsRevoked() bool { return o.Revoked != nil && *o.Revoked }

// IsDeprecated reports whether the object is marked deprecated.
func (o *Object) IsDeprecated() bool { return o.Deprecated != nil && *o.Deprecated }

// IsSub reports whether an attack-pattern is a sub-technique.
func (o *Object) IsSub() bool { return o.IsSubtechnique != nil && *o.IsSubtechnique }
