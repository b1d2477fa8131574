package attack

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ttcproject/ttc/internal/attack/stix"
)

// killChains maps a domain to the kill_chain_name its techniques use.
var killChains = map[string]string{
	"enterprise-attack": "mitre-attack",
	"mobile-attack":     "mitre-mobile-attack",
	"ics-attack":        "mitre-ics-attack",
}

// converter turns decoded STIX objects into a Dataset.
type converter struct {
	opts    ImportOptions
	ds      *Dataset
	kept    map[string]bool   // STIX ids of objects in the Dataset
	ids     map[string]string // STIX id → ATT&CK ID
	sources map[string]string // data source STIX id → name
	// Techniques and mitigations of the domain passed over for naming no
	// ATT&CK ID, and techniques kept without a name or a tactic: warned
	// about once each.
	noID, unnamed []string
}

func build(objs []stix.Object, stixVersion string, opts ImportOptions) (*Dataset, error) {
	c := &converter{
		opts:    opts,
		ds:      &Dataset{Format: FormatVersion, Domain: opts.Domain, STIXVersion: stixVersion},
		kept:    make(map[string]bool),
		ids:     make(map[string]string),
		sources: make(map[string]string),
	}
	objs, err := c.screen(objs)
	if err != nil {
		return nil, err
	}
	if err := c.version(objs); err != nil {
		return nil, err
	}
	for i := range objs {
		c.object(&objs[i])
	}
	if err := c.tactics(objs); err != nil {
		return nil, err
	}
	c.detectionRefs(objs)
	c.relationships(objs)
	c.sort()
	if len(c.noID) > 0 {
		c.opts.Logger.Warn("attack data: techniques or mitigations name no ATT&CK ID (an external reference of "+
			c.opts.IDSource+" with an external_id), and were passed over", "count", len(c.noID), "first", c.noID[0])
	}
	if len(c.unnamed) > 0 {
		c.opts.Logger.Warn("attack data: techniques or mitigations have no name (STIX requires one), or techniques no tactic "+
			"of the domain's kill chain, and show none", "count", len(c.unnamed), "first", c.unnamed[0])
	}
	if id, tactic := c.unknownTactic(); id != "" {
		c.opts.Logger.Warn("attack data: a technique names a tactic the matrix does not list", "technique", id, "tactic", tactic)
	}

	o := &c.ds.objects
	c.opts.Logger.Info("attack data imported", "version", c.ds.Version,
		"tactics", len(o.Tactics), "techniques", len(o.Techniques),
		"mitigations", len(o.Mitigations), "relationships", len(o.Relationships))
	return c.ds, nil
}

// version takes the ATT&CK release from the options or the collection object.
// The matrix's own x_mitre_version is the object's revision ("1.0"), not the
// release, so it is not used.
func (c *converter) version(objs []stix.Object) error {
	var found, raw []string
	for i := range objs {
		if v := NormaliseVersion(objs[i].Version); objs[i].Type == "x-mitre-collection" && v != "" &&
			!slices.Contains(found, v) {
			found, raw = append(found, v), append(raw, objs[i].Version)
		}
	}
	switch {
	case c.opts.Version != "":
		c.ds.Version = c.opts.Version
		if len(found) == 1 && found[0] != c.opts.Version {
			c.opts.Logger.Warn("attack data: the version given replaces the one the data names",
				"given", c.opts.Version, "data", found[0])
		}
	case len(found) > 1:
		return fmt.Errorf("import attack data: several ATT&CK releases in one input (%s); import one at a time",
			strings.Join(found, ", "))
	case len(found) == 1:
		// ATT&CK's data names its release; ttc's own export (IDSource
		// ttc) names the catalog's version, which is no ATT&CK release.
		if err := CheckRelease(raw[0]); err != nil && c.opts.IDSource == stix.SourceATTACK {
			return fmt.Errorf("import attack data: the data's x-mitre-collection names %w", err)
		}
		c.ds.Version = found[0]
	default:
		c.ds.Version = c.opts.fallbackVersion
	}
	return nil
}

// inDomain reports whether an object belongs to the imported domain. Objects
// that name no domain (STIX 2.0 data before ATT&CK v9, relationships) do.
func (c *converter) inDomain(o *stix.Object) bool {
	return len(o.Domains) == 0 || slices.Contains(o.Domains, c.opts.Domain)
}

func (c *converter) object(o *stix.Object) {
	if o.AttackSpecVersion != "" && compareVersions(o.AttackSpecVersion, c.ds.SpecVersion) > 0 {
		c.ds.SpecVersion = o.AttackSpecVersion
	}
	switch o.Type {
	case "marking-definition":
		if o.Definition != nil && c.ds.Copyright == "" {
			c.ds.Copyright = o.Definition.Statement
		}
		return
	case "x-mitre-data-source":
		c.sources[o.ID] = o.Name
		return
	}
	if !c.inDomain(o) {
		return
	}
	id, url := o.ExternalID(c.opts.IDSource)
	if id == "" {
		if (o.Type == "attack-pattern" || o.Type == "course-of-action") && !o.IsRevoked() {
			c.noID = append(c.noID, o.ID)
		}
		return
	}
	switch o.Type {
	case "attack-pattern":
		if t := c.technique(o, id, url); (t.Name == "" || len(t.Tactics) == 0) && !t.Revoked {
			c.unnamed = append(c.unnamed, id)
		}
	case "course-of-action":
		if o.Name == "" && !o.IsRevoked() {
			c.unnamed = append(c.unnamed, id)
		}
		c.ds.objects.Mitigations = append(c.ds.objects.Mitigations, &Mitigation{
			STIXID: o.ID, ID: id, Name: o.Name, Description: o.Description, URL: url,
			Version: o.Version, Modified: o.Modified, Revoked: o.IsRevoked(), Deprecated: o.IsDeprecated(),
		})
	case "x-mitre-data-component":
		c.ds.objects.DataComponents = append(c.ds.objects.DataComponents, &DataComponent{
			STIXID: o.ID, ID: id, Name: o.Name, Description: o.Description,
			LogSources: logSources(o.LogSources), Revoked: o.IsRevoked(), Deprecated: o.IsDeprecated(),
		})
	case "x-mitre-detection-strategy":
		c.ds.objects.DetectionStrategies = append(c.ds.objects.DetectionStrategies, &DetectionStrategy{
			STIXID: o.ID, ID: id, Name: o.Name, Revoked: o.IsRevoked(), Deprecated: o.IsDeprecated(),
		})
	case "x-mitre-analytic":
		c.ds.objects.Analytics = append(c.ds.objects.Analytics, &Analytic{
			STIXID: o.ID, ID: id, Name: o.Name, Description: o.Description, Platforms: o.Platforms,
			MutableElements: mutableElements(o.MutableElements),
			Revoked:         o.IsRevoked(), Deprecated: o.IsDeprecated(),
		})
	default:
		return
	}
	c.kept[o.ID] = true
	c.ids[o.ID] = id
}

// unknownTactic returns the first current technique, and its tactic, that
// names a tactic (a kill chain phase) none of the matrix's tactics is.
func (c *converter) unknownTactic() (id, tactic string) {
	known := map[string]bool{}
	for _, t := range c.ds.objects.Tactics {
		known[t.ShortName] = true
	}
	for _, t := range c.ds.objects.Techniques {
		for _, p := range t.Tactics {
			if !known[p] && !t.Revoked {
				return t.ID, p
			}
		}
	}
	return "", ""
}

// technique adds the technique o, of ATT&CK ID id, and returns it.
func (c *converter) technique(o *stix.Object, id, url string) *Technique {
	chain, known := killChains[c.opts.Domain]
	var tactics []string
	for _, p := range o.KillChainPhases {
		if !known || p.KillChainName == chain {
			tactics = append(tactics, p.PhaseName)
		}
	}
	t := &Technique{
		STIXID: o.ID, ID: id, Name: o.Name, Description: o.Description, URL: url,
		Platforms: o.Platforms, Tactics: tactics, IsSubtechnique: o.IsSub(),
		Detection: o.Detection, Version: o.Version, Modified: o.Modified,
		Revoked: o.IsRevoked(), Deprecated: o.IsDeprecated(),
	}
	c.ds.objects.Techniques = append(c.ds.objects.Techniques, t)
	return t
}

func logSources(in []stix.LogSource) []LogSource {
	var out []LogSource
	for _, l := range in {
		out = append(out, LogSource{Name: l.Name, Channel: l.Channel})
	}
	return out
}

func mutableElements(in []stix.MutableElement) []MutableElement {
	var out []MutableElement
	for _, m := range in {
		out = append(out, MutableElement(m))
	}
	return out
}
