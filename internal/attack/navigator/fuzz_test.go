package navigator

import (
	"bytes"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the layer decoder: a decoded layer must
// validate without panicking and encode back.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"name":"x","domain":"enterprise-attack","techniques":[{"techniqueID":"T1078","score":1}]}`))
	f.Add([]byte(`[{"name":"a","domain":"ics-attack","links":[{"label":"l","url":"::"}]}]`))
	f.Add([]byte(`{"gradient":{"colors":["#fff"],"minValue":1,"maxValue":0},"versions":{"navigator":"x.y"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		layers, err := Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, l := range layers {
			_ = l.Validate()
			var out bytes.Buffer
			if err := Encode(&out, l); err != nil {
				t.Fatal(err)
			}
		}
	})
}
