package catalog

// Tactic is an ATT&CK tactic as the catalog uses it.
type Tactic struct {
	ID          string     `yaml:"id" json:"id"`
	ShortName   string     `yaml:"short_name" json:"short_name"`
	Name        string     `yaml:"name" json:"name"`
	Order       int        `yaml:"order" json:"order"`
	Description string     `yaml:"description" json:"description"`
	AttackV19   *TacticV19 `yaml:"attack_v19,omitempty" json:"attack_v19,omitempty"`
}

// TacticV19 records how ATT&CK v19 renamed or split a tactic.
type TacticV19 struct {
	Name string `yaml:"name" json:"name"`
	Note string `yaml:"note" json:"note"`
	// Split is the tactic v19 made of part of this one (TA0112 Defense
	// Impairment, of TA0005); filters take it as this tactic.
	Split *TacticName `yaml:"split,omitempty" json:"split,omitempty"`
}

// TacticName names a tactic outside the catalog.
type TacticName struct {
	ID        string `yaml:"id" json:"id"`
	ShortName string `yaml:"short_name" json:"short_name"`
	Name      string `yaml:"name" json:"name"`
}

// Service is an AWS service the catalog refers to.
type Service struct {
	Key          string   `yaml:"key" json:"key"`
	Name         string   `yaml:"name" json:"name"`
	EventSources []string `yaml:"event_sources" json:"event_sources"`
	SDKModules   []string `yaml:"sdk_modules" json:"sdk_modules"`
	Aliases      []string `yaml:"aliases" json:"aliases,omitempty"`
	// DataEvents are the event names CloudTrail records for this service as
	// data events: a trail writes them only when its selectors ask for
	// them. Every other event of the service is a management event.
	DataEvents []string `yaml:"data_events,omitempty" json:"data_events,omitempty"`
}

// Mitigation is a concrete control that stops or limits techniques.
type Mitigation struct {
	ID          string      `yaml:"id" json:"id"`
	Name        string      `yaml:"name" json:"name"`
	Services    []string    `yaml:"services" json:"services"`
	Summary     string      `yaml:"summary" json:"summary"`
	Description string      `yaml:"description" json:"description"`
	Controls    []Control   `yaml:"controls" json:"controls"`
	References  []Reference `yaml:"references" json:"references"`

	// Source is where the mitigation was read from.
	Source string `yaml:"-" json:"-"`
}

// Control is one way to apply a mitigation.
type Control struct {
	Kind   string `yaml:"kind" json:"kind"`
	Title  string `yaml:"title" json:"title"`
	Detail string `yaml:"detail" json:"detail"`
	Stops  string `yaml:"stops" json:"stops"`
}

// Reference is a link to documentation.
type Reference struct {
	Title string `yaml:"title" json:"title"`
	URL   string `yaml:"url" json:"url"`
}

// Technique is one catalog entry.
type Technique struct {
	ID                string          `yaml:"id" json:"id"`
	Name              string          `yaml:"name" json:"name"`
	Parent            string          `yaml:"parent,omitempty" json:"parent,omitempty"`
	AWSSpecific       bool            `yaml:"aws_specific" json:"aws_specific"`
	Tactics           []string        `yaml:"tactics" json:"tactics"`
	Services          []string        `yaml:"services" json:"services"`
	Summary           string          `yaml:"summary" json:"summary"`
	Prerequisites     string          `yaml:"prerequisites" json:"prerequisites"`
	Description       string          `yaml:"description" json:"description"`
	Detection         Detection       `yaml:"detection" json:"detection"`
	Mitigations       []MitigationRef `yaml:"mitigations" json:"mitigations"`
	AttackMitigations []string        `yaml:"attack_mitigations,omitempty" json:"attack_mitigations,omitempty"`
	Related           []string        `yaml:"related,omitempty" json:"related,omitempty"`
	References        []Reference     `yaml:"references" json:"references"`
	Attack            *AttackInfo     `yaml:"attack,omitempty" json:"attack,omitempty"`
	FirstSeen         string          `yaml:"first_seen" json:"first_seen"`
	Updated           string          `yaml:"updated" json:"updated"`

	// Rules are the Sigma rule files in the technique's rules folder.
	Rules []File `yaml:"-" json:"-"`
	// Samples are the labelled CloudTrail records in its samples folder.
	Samples []Sample `yaml:"-" json:"-"`
	// Source is where the entry was read from (a path, or "embedded:…").
	Source string `yaml:"-" json:"-"`
}

// Detection says how a technique can be seen.
type Detection struct {
	Guidance         string   `yaml:"guidance" json:"guidance"`
	CloudTrailEvents []string `yaml:"cloudtrail_events" json:"cloudtrail_events"`
	// DataEventsRequired says that some of the rules that report the
	// technique need data events (see Service.DataEvents): a trail that
	// logs management events only leaves them blind to part of what they
	// flag. Load derives it from the rules when the file leaves it out,
	// and checks it when the file writes it (see SetRuleAnalyser).
	DataEventsRequired bool     `yaml:"data_events_required" json:"data_events_required"`
	GuardDutyFindings  []string `yaml:"guardduty_findings,omitempty" json:"guardduty_findings,omitempty"`
	OtherSignals       []string `yaml:"other_signals,omitempty" json:"other_signals,omitempty"`
	BlindSpots         string   `yaml:"blind_spots" json:"blind_spots"`
	NoCloudTrail       string   `yaml:"no_cloudtrail,omitempty" json:"no_cloudtrail,omitempty"`
}

// MitigationRef points from a technique to a mitigation and says what it stops there.
type MitigationRef struct {
	ID     string `yaml:"id" json:"id"`
	Effect string `yaml:"effect" json:"effect"`
}

// AttackInfo records which ATT&CK version a technique's ID belongs to and its
// IDs in other ATT&CK versions.
type AttackInfo struct {
	Version string  `yaml:"version" json:"version"`
	Aliases []Alias `yaml:"aliases,omitempty" json:"aliases,omitempty"`
}

// Alias is the same technique under another ATT&CK version's ID.
type Alias struct {
	ID      string `yaml:"id" json:"id"`
	Version string `yaml:"version" json:"version"`
	Note    string `yaml:"note,omitempty" json:"note,omitempty"`
}

// File is a file that belongs to a technique, kept as bytes.
type File struct {
	// Path is the file's path as shown to users (relative inside the embedded
	// catalog, or the overlay path).
	Path string
	Data []byte
}

// Sample is a CloudTrail record the technique's rules must flag (Match) or must not.
type Sample struct {
	File
	Match bool
}

// Event is a CloudTrail event name as the catalog writes it, service:EventName.
type Event struct {
	Service string `json:"service"`
	Name    string `json:"name"`
}
