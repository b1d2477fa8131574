package corpus

import "strconv"

// enc appends compact JSON to a byte slice. It keeps one member count per
// open container to place the commas.
type enc struct {
	b      []byte
	count  []int
	valued bool // a key was just written: its value takes no comma
}

func (e *enc) sep() {
	if e.valued {
		e.valued = false
		return
	}
	if n := len(e.count); n > 0 {
		if e.count[n-1] > 0 {
			e.b = append(e.b, ',')
		}
		e.count[n-1]++
	}
}

func (e *enc) key(k string) *enc {
	e.sep()
	e.b = appendString(e.b, k)
	e.b = append(e.b, ':')
	e.valued = true
	return e
}

func (e *enc) open(c byte) *enc {
	e.sep()
	e.b = append(e.b, c)
	e.count = append(e.count, 0)
	return e
}

func (e *enc) close(c byte) *enc {
	e.b = append(e.b, c)
	e.count = e.count[:len(e.count)-1]
	return e
}

func (e *enc) obj() *enc           { return e.open('{') }
func (e *enc) end() *enc           { return e.close('}') }
func (e *enc) arr() *enc           { return e.open('[') }
func (e *enc) endArr() *enc        { return e.close(']') }
func (e *enc) null() *enc          { e.sep(); e.b = append(e.b, "null"...); return e }
func (e *enc) str(v string) *enc   { e.sep(); e.b = appendString(e.b, v); return e }
func (e *enc) num(v int64) *enc    { e.sep(); e.b = strconv.AppendInt(e.b, v, 10); return e }
func (e *enc) boolean(v bool) *enc { e.sep(); e.b = strconv.AppendBool(e.b, v); return e }

// Shorthands for members.
func (e *enc) s(k, v string) *enc       { return e.key(k).str(v) }
func (e *enc) n(k string, v int64) *enc { return e.key(k).num(v) }
func (e *enc) t(k string, v bool) *enc  { return e.key(k).boolean(v) }
func (e *enc) o(k string) *enc          { return e.key(k).obj() }
func (e *enc) a(k string) *enc          { return e.key(k).arr() }
func (e *enc) z(k string) *enc          { return e.key(k).null() }

const hexDigits = "0123456789abcdef"

// appendString appends v as a JSON string.
func appendString(b []byte, v string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, v[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, v[start:]...)
	return append(b, '"')
}
