package awsapi

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestCatalogEvents checks every detection.cloudtrail_events entry of every
// technique, reading the files directly rather than through the catalog loader.
func TestCatalogEvents(t *testing.T) {
	services := readServices(t)
	files, err := filepath.Glob(filepath.Join("..", "..", "catalog", "techniques", "*", "technique.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no technique files")
	}

	report := t.Errorf
	var bad []string
	for _, f := range files {
		events, err := techniqueEvents(f)
		if err != nil {
			report("%v", err)
			continue
		}
		id := filepath.Base(filepath.Dir(f))
		for _, ev := range events {
			if msg := checkCatalogEvent(services, ev); msg != "" {
				bad = append(bad, id+": "+msg)
			}
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		report("%s", b)
	}
	t.Logf("%d technique files, %d events not confirmed", len(files), len(bad))
}

// checkCatalogEvent returns why the `service:EventName` entry ev is not a real event, or "".
func checkCatalogEvent(services map[string]service, ev string) string {
	key, event, ok := strings.Cut(ev, ":")
	if !ok {
		return ev + " is not of the form service:EventName"
	}
	s, ok := services[key]
	if !ok {
		return ev + ": service " + key + " is not in services.yaml"
	}
	if err := CheckEvent(key, s.SDKModules, event); err != nil {
		return err.Error()
	}
	return ""
}

// techniqueEvents reads detection.cloudtrail_events from one technique file.
func techniqueEvents(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read technique: %w", err)
	}
	var doc struct {
		Detection struct {
			CloudTrailEvents []string `yaml:"cloudtrail_events"`
		} `yaml:"detection"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("parse technique %s: %w", path, err)
	}
	return doc.Detection.CloudTrailEvents, nil
}
