package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// Bundle is a STIX bundle. STIX 2.0 bundles carry spec_version, 2.1 bundles do not.
type Bundle struct {
	Type        string   `json:"type"`
	ID          string   `json:"id"`
	SpecVersion string   `json:"spec_version,omitempty"`
	Objects     []Object `json:"objects"`
}

// ErrNotSTIX marks JSON that is neither a bundle nor a STIX object (an
// index of collections, a package manifest): a folder import passes over
// such files.
var ErrNotSTIX = errors.New("neither a bundle nor an object with type and id")

// MaxDocument bounds the size of a document Decode reads: the whole of it
// is held, and decoded into objects that take several times its size.
const MaxDocument = 256 << 20

// readAtMost reads r to its end, or returns nil, with no error, as soon
// as it holds more than most bytes; an error other than io.EOF (a cut gzip
// stream's io.ErrUnexpectedEOF) is returned. It reads in blocks and joins
// them once, at the size read, so that a stream past the bound (standard
// input, /dev/zero) is refused holding about the bound, where io.ReadAll's
// growing buffer took more than twice it; a document within the bound
// takes twice its size while the blocks are joined.
func readAtMost(r io.Reader, most int) ([]byte, error) {
	const block = 1 << 20
	var blocks [][]byte
	n, done := 0, false
	for n <= most && !done {
		b := make([]byte, min(block, most+1-n))
		k, idle := 0, 0
		for k < len(b) {
			m, err := r.Read(b[k:])
			k += m
			switch {
			case err == io.EOF:
				done = true
			case err != nil:
				return nil, err
			case m == 0:
				if idle++; idle == 100 { // as io.ReadFull gives up on a reader that gives nothing
					return nil, io.ErrNoProgress
				}
			}
			if done {
				break
			}
		}
		blocks, n = append(blocks, b[:k]), n+k
	}
	if n > most {
		return nil, nil
	}
	out := make([]byte, 0, n)
	for _, b := range blocks {
		out = append(out, b...)
	}
	return out, nil
}

// Decode reads one JSON document: a bundle, or a bare STIX object, which is
// returned as a bundle holding that object.
func Decode(r io.Reader) (*Bundle, error) {
	data, err := readAtMost(r, MaxDocument)
	if err != nil {
		return nil, fmt.Errorf("read stix: %w", err)
	}
	if data == nil {
		return nil, fmt.Errorf("read stix: the document is larger than %d MiB, more than any ATT&CK release "+
			"(Enterprise ATT&CK's runs to some tens of MiB); decoding it would take several times that in memory", MaxDocument>>20)
	}
	var head struct {
		Type        string            `json:"type"`
		ID          string            `json:"id"`
		SpecVersion string            `json:"spec_version"`
		Objects     []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("decode stix: %w", syntaxError(data, err))
	}
	if err := checkKeys(data); err != nil {
		return nil, fmt.Errorf("decode stix: %w", err)
	}
	if head.Type != "bundle" {
		var o Object
		if err := json.Unmarshal(data, &o); err != nil {
			return nil, fmt.Errorf("decode stix object: %w", syntaxError(data, err))
		}
		if o.Type == "" || o.ID == "" {
			return nil, fmt.Errorf("decode stix: %w", ErrNotSTIX)
		}
		return &Bundle{Type: "bundle", Objects: []Object{o}}, nil
	}

	b := Bundle{Type: "bundle", ID: head.ID, SpecVersion: head.SpecVersion}
	b.Objects = make([]Object, 0, len(head.Objects))
	for i, raw := range head.Objects {
		var o Object
		if err := json.Unmarshal(raw, &o); err != nil {
			return nil, fmt.Errorf("decode stix object %d of bundle: %w", i+1, syntaxError(raw, err))
		}
		b.Objects = append(b.Objects, o)
	}
	return &b, nil
}

// Version returns the STIX version of the bundle's content: the bundle's
// spec_version (2.0) or the objects' spec_version (2.1); "" if neither says.
func (b *Bundle) Version() string {
	if b.SpecVersion != "" {
		return b.SpecVersion
	}
	for i := range b.Objects {
		if v := b.Objects[i].SpecVersion; v != "" {
			return v
		}
	}
	return ""
}

// Encode writes the bundle as indented JSON with HTML characters unescaped,
// so that "ATT&CK" stays readable.
func (b *Bundle) Encode(w io.Writer) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(b); err != nil {
		return fmt.Errorf("encode stix bundle: %w", err)
	}
	// Characters a terminal or viewer would act on or hide are written as
	// \u escapes: the same values, and catalog overlays and imported ATT&CK
	// names are third-party text.
	if _, err := w.Write(jsonscan.AppendShown(nil, buf.Bytes())); err != nil {
		return fmt.Errorf("write stix bundle: %w", err)
	}
	return nil
}

// syntaxError describes a JSON syntax error in data by its line and column
// and the byte found there, named plainly: encoding/json's own message
// quotes that byte with Go escapes, which a display escapes again. Other
// errors are returned as they are.
func syntaxError(data []byte, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		// encoding/json names the Go type it decodes into, with its tags
		// quoted: the document's shape, in STIX terms, says more.
		if te.Field == "" {
			return fmt.Errorf("the document is a JSON %s, not an object (a STIX bundle or object)", te.Value)
		}
		return fmt.Errorf("field %s is a JSON %s, where STIX has %s", te.Field, te.Value, jsonKind(te.Type.Kind()))
	}
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return err
	}
	at := int(se.Offset) - 1
	if at < 0 || at >= len(data) || se.Error() == "unexpected end of JSON input" {
		end := bytes.TrimRight(data, " \t\r\n")
		line := 1 + bytes.Count(end, []byte{'\n'})
		col := len(end) - bytes.LastIndexByte(end, '\n')
		return fmt.Errorf("invalid JSON: unexpected end of input after line %d, column %d: the data is cut short, or a bracket is left open", line, col-1)
	}
	if at == 0 && bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return fmt.Errorf("invalid JSON: the file starts with a byte order mark (EF BB BF), which JSON does not allow")
	}
	line := 1 + bytes.Count(data[:at], []byte{'\n'})
	col := at - bytes.LastIndexByte(data[:at], '\n')
	found := fmt.Sprintf("'%c'", data[at])
	if c := data[at]; c < ' ' || c >= 0x7f || c == '\\' || c == '\'' {
		found = fmt.Sprintf("byte 0x%02x", c)
	}
	return fmt.Errorf("invalid JSON at line %d, column %d: found %s", line, col, found)
}

// jsonKind names the JSON value a Go kind decodes from.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Bool:
		return "true or false"
	}
	return "a number"
}
