package attack

// DataComponent is an ATT&CK data component (DCxxxx). Up to ATT&CK v17 data
// components "detect" techniques directly; from v18 analytics refer to them.
type DataComponent struct {
	STIXID      string      `json:"stix_id"`
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	DataSource  string      `json:"data_source,omitempty"`
	LogSources  []LogSource `json:"log_sources,omitempty"`
	Deprecated  bool        `json:"deprecated,omitempty"`
	Revoked     bool        `json:"revoked,omitempty"`
}

// LogSource names a log and the channel in it (for CloudTrail, usually API names).
type LogSource struct {
	// DataComponent is the data component's ATT&CK ID, set on analytics only.
	DataComponent string `json:"data_component,omitempty"`
	Name          string `json:"name"`
	Channel       string `json:"channel,omitempty"`
}

// DetectionStrategy is an ATT&CK detection strategy (DETxxxx, ATT&CK v18 and
// later): the analytics that together detect a technique.
type DetectionStrategy struct {
	STIXID     string   `json:"stix_id"`
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Analytics  []string `json:"analytics,omitempty"`
	Deprecated bool     `json:"deprecated,omitempty"`
	Revoked    bool     `json:"revoked,omitempty"`
}

// Analytic is a platform-specific detection (ANxxxx) of a detection strategy.
type Analytic struct {
	STIXID          string           `json:"stix_id"`
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	Description     string           `json:"description,omitempty"`
	Platforms       []string         `json:"platforms,omitempty"`
	LogSources      []LogSource      `json:"log_sources,omitempty"`
	MutableElements []MutableElement `json:"mutable_elements,omitempty"`
	Deprecated      bool             `json:"deprecated,omitempty"`
	Revoked         bool             `json:"revoked,omitempty"`
}

// MutableElement is a field of an analytic that users are expected to tune.
type MutableElement struct {
	Field       string `json:"field"`
	Description string `json:"description,omitempty"`
}

// DataComponents returns the data components sorted by ID.
func (ds *Dataset) DataComponents() []*DataComponent { return ds.objects.DataComponents }

// DetectionStrategies returns the detection strategies sorted by ID.
func (ds *Dataset) DetectionStrategies() []*DetectionStrategy {
	return ds.objects.DetectionStrategies
}

// Analytics returns the analytics sorted by ID.
func (ds *Dataset) Analytics() []*Analytic { return ds.objects.Analytics }

// Analytic returns the analytic with the ATT&CK ID id, or nil.
func (ds *Dataset) Analytic(id string) *Analytic { return ds.index().analyticByID[id] }

// DetectionStrategy returns the detection strategy with the ATT&CK ID id, or nil.
func (ds *Dataset) DetectionStrategy(id string) *DetectionStrategy {
	return ds.index().strategyByID[id]
}

// DataComponent returns the data component with the ATT&CK ID id, or nil.
func (ds *Dataset) DataComponent(id string) *DataComponent {
	return ds.index().componentByID[id]
}
