package catalog

import (
	"path"

	"go.yaml.in/yaml/v3"
)

// SchemaVersion is the version of the JSON documents built from these types;
// it changes when a field is removed or changes meaning.
const SchemaVersion = "1"

// TechniqueSummary is a technique as listings show it.
type TechniqueSummary struct {
	ID          string   `json:"id" yaml:"id"`
	Name        string   `json:"name" yaml:"name"`
	Parent      string   `json:"parent,omitempty" yaml:"parent,omitempty"`
	AWSSpecific bool     `json:"aws_specific" yaml:"aws_specific"`
	Tactics     []string `json:"tactics" yaml:"tactics"`
	Services    []string `json:"services" yaml:"services"`
	Summary     string   `json:"summary" yaml:"summary"`
	Events      int      `json:"cloudtrail_events" yaml:"cloudtrail_events"`
	Rules       int      `json:"rules" yaml:"rules"`
	Score       float64  `json:"score,omitempty" yaml:"score,omitempty"`
}

// Summary returns the listing form of t.
func (c *Catalog) Summary(t *Technique) TechniqueSummary {
	return TechniqueSummary{
		ID: t.ID, Name: t.Name, Parent: t.Parent, AWSSpecific: t.AWSSpecific,
		Tactics: nonNil(t.Tactics), Services: nonNil(t.Services), Summary: t.Summary,
		Events: len(t.Detection.CloudTrailEvents), Rules: len(t.Rules),
	}
}

// Summaries returns the listing form of every result, keeping scores.
func (c *Catalog) Summaries(rs []Result) []TechniqueSummary {
	out := make([]TechniqueSummary, 0, len(rs))
	for _, r := range rs {
		s := c.Summary(r.Technique)
		s.Score = r.Score
		out = append(out, s)
	}
	return out
}

// TechniqueDetail is a technique with everything a reader needs around it:
// its tactics and services spelled out, its family, its mitigations and rules.
type TechniqueDetail struct {
	*Technique
	AttackID     string             `json:"attack_id,omitempty" yaml:"attack_id,omitempty"`
	TacticNames  []Tactic           `json:"tactic_details" yaml:"tactic_details"`
	ServiceNames []Service          `json:"service_details" yaml:"service_details"`
	ParentEntry  *TechniqueSummary  `json:"parent_entry,omitempty" yaml:"parent_entry,omitempty"`
	Children     []TechniqueSummary `json:"children,omitempty" yaml:"children,omitempty"`
	Siblings     []TechniqueSummary `json:"siblings,omitempty" yaml:"siblings,omitempty"`
	RelatedTo    []TechniqueSummary `json:"related_entries,omitempty" yaml:"related_entries,omitempty"`
	MitigatedBy  []*Mitigation      `json:"mitigation_details" yaml:"mitigation_details"`
	RuleFiles    []RuleInfo         `json:"rule_files" yaml:"rule_files"`
	// ReportedBy are the rules of other techniques that report this one too.
	ReportedBy []RuleInfo `json:"reported_by_rules_of,omitempty" yaml:"reported_by_rules_of,omitempty"`
	// DataEvents are the technique's CloudTrail events that are data
	// events; the others are management events.
	DataEvents []string `json:"data_events,omitempty" yaml:"data_events,omitempty"`
	// AttackData is MITRE's own entry for AttackID, when ATT&CK data was imported.
	AttackData *AttackData `json:"attack_data,omitempty" yaml:"attack_data,omitempty"`
	// AttackMitigationNames names the technique's AttackMitigations, by
	// ID, as imported ATT&CK data names them (none without it).
	AttackMitigationNames map[string]string `json:"attack_mitigation_names,omitempty" yaml:"attack_mitigation_names,omitempty"`
}

// AttackData is what an imported MITRE ATT&CK release says of a technique.
type AttackData struct {
	ID            string `json:"id" yaml:"id"`
	Name          string `json:"name" yaml:"name"`
	Description   string `json:"description" yaml:"description"`
	URL           string `json:"url,omitempty" yaml:"url,omitempty"`
	AttackVersion string `json:"attack_version" yaml:"attack_version"`
	Revoked       bool   `json:"revoked,omitempty" yaml:"revoked,omitempty"`
	ReplacedBy    string `json:"replaced_by,omitempty" yaml:"replaced_by,omitempty"`
	Deprecated    bool   `json:"deprecated,omitempty" yaml:"deprecated,omitempty"`
	Attribution   string `json:"attribution" yaml:"attribution"`
}

// RuleInfo names a technique's Sigma rule.
type RuleInfo struct {
	File  string `json:"file" yaml:"file"`
	ID    string `json:"id" yaml:"id"`
	Title string `json:"title" yaml:"title"`
	Level string `json:"level" yaml:"level"`
	// Technique is the technique whose folder holds the rule, when it is
	// listed on another's page (TechniqueDetail.ReportedBy).
	Technique string `json:"technique,omitempty" yaml:"technique,omitempty"`
	// AlsoReports are the techniques the rule reports beside its folder's
	// (see Catalog.RuleReports).
	AlsoReports []string `json:"also_reports,omitempty" yaml:"also_reports,omitempty"`
	// Problem says why the rule is not used, when it does not compile
	// (by the rule analysis SetRuleAnalyser installed): a broken rule of
	// an overlay is listed, but no scan runs it.
	Problem string `json:"problem,omitempty" yaml:"problem,omitempty"`
	// DataEvents are the data events (service:EventName) the rule needs:
	// a trail that logs management events only never gives it the
	// records of them it flags (see Catalog.RuleDataEvents).
	DataEvents []string `json:"data_events,omitempty" yaml:"data_events,omitempty"`
}

// Detail returns the full form of t.
func (c *Catalog) Detail(t *Technique) TechniqueDetail {
	d := TechniqueDetail{Technique: t, AttackID: AttackID(t.ID)}
	for _, id := range t.Tactics {
		if ta, ok := c.tacticByID[id]; ok {
			d.TacticNames = append(d.TacticNames, *ta)
		}
	}
	for _, k := range t.Services {
		if s, ok := c.serviceByKey[k]; ok {
			d.ServiceNames = append(d.ServiceNames, *s)
		}
	}
	if p, ok := c.techniqueBy[t.Parent]; ok {
		s := c.Summary(p)
		d.ParentEntry = &s
	}
	for _, ch := range c.children[t.ID] {
		d.Children = append(d.Children, c.Summary(ch))
	}
	for _, s := range c.Siblings(t) {
		d.Siblings = append(d.Siblings, c.Summary(s))
	}
	for _, id := range t.Related {
		if r, ok := c.techniqueBy[id]; ok {
			d.RelatedTo = append(d.RelatedTo, c.Summary(r))
		}
	}
	for _, m := range t.Mitigations {
		if mm, ok := c.mitigationBy[m.ID]; ok {
			d.MitigatedBy = append(d.MitigatedBy, mm)
		}
	}
	d.RuleFiles = make([]RuleInfo, 0, len(t.Rules))
	for _, f := range t.Rules {
		d.RuleFiles = append(d.RuleFiles, c.ruleInfo(f))
	}
	for _, r := range c.reportedBy[t.ID] {
		info := c.ruleInfo(r.f)
		if info.Problem != "" {
			continue // no scan runs it; its own technique's page says why
		}
		info.Technique = r.t.ID
		d.ReportedBy = append(d.ReportedBy, info)
	}
	for _, e := range t.Detection.CloudTrailEvents {
		if c.IsDataEvent(e) {
			d.DataEvents = append(d.DataEvents, e)
		}
	}
	return d
}

// ruleInfo names rule file f.
func (c *Catalog) ruleInfo(f File) RuleInfo {
	var head struct {
		ID    string `yaml:"id"`
		Title string `yaml:"title"`
		Level string `yaml:"level"`
	}
	// A rule that does not parse is reported by the rule checks; here it is listed by name only.
	_ = yaml.Unmarshal(f.Data, &head)
	info := RuleInfo{File: path.Base(f.Path), ID: head.ID, Title: head.Title, Level: head.Level, DataEvents: c.RuleDataEvents(f)}
	if err := c.ruleErr[f.Path]; err != nil {
		info.Problem = err.Error()
	}
	if info.Problem == "" { // a rule no scan runs reports nothing
		info.AlsoReports = c.AlsoReports(f)
	}
	return info
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
