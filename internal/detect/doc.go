// Package detect is ttc's Sigma engine: it parses Sigma detection rules,
// compiles them into one Matcher and classifies raw CloudTrail records
// (one JSON object each) without decoding them into maps.
//
// # Rules
//
// ParseRule reads a rule file of one rule with its YAML positions, and
// ParseRules a file of several YAML documents, each a rule (a correlation
// with the rules it counts), each document read and refused on its own, at
// positions in the file. Compile turns a set of rules into a Matcher and
// reports each rule it refuses as a *RuleError naming the file, line and
// column. Refusals for features ttc does not evaluate wrap ErrUnsupported:
// correlation types other than event_count and value_count, correlation
// aliases, Sigma filters, legacy rule collections (action: global, reset,
// repeat), legacy aggregations in conditions ("| count()",
// "| near") and detection timeframes, and the expand modifier when
// Options.Placeholders has no values for a placeholder. Rules whose
// logsource is not product aws / service cloudtrail are refused with
// ErrLogsource unless Options.AnyLogsource is set. Rules that would cost
// more than any real rule are refused too, at their position: a file over
// MaxRuleSize or of more than MaxRuleDocuments documents, text not UTF-8,
// a mapping that repeats a key (YAML forbids it; read as written, a
// selection naming a field twice would never match),
// a key that is null or not a string, a condition nesting parentheses
// and nots deeper than MaxConditionDepth, conditions naming more than
// MaxConditionNodes identifiers (each "x of" counting every identifier it
// names), and more than MaxRuleValues values or MaxRuleValueBytes of
// value text, an alias counted each time it is used (and a regular
// expression ten times, for what it takes compiled).
//
// # Correlation rules
//
// A correlation rule (Sigma's correlation rules specification, version 2)
// is parsed into its Correlation and left out by Compile: its caller
// resolves the rules it names (by name or id), feeds their matches to
// Correlation.Bursts as Events, grouped by the values FieldReader reads of
// its group-by fields, and reports each Burst. A window starts at each
// event and spans Timespan, both ends included; a missing group-by field
// is a group value of its own (null), and a group-by field that holds a
// list groups by the whole list. A value_count counts the distinct values
// its field contains: each element of a list (arrays within it read in
// its place, as rules read them, and an object by its JSON text as
// written), a value met in several records or twice in one once; a
// missing counted field, null or an empty list adds none. A correlation
// naming another correlation is refused by the caller (no chaining).
//
// # Detection semantics
//
// The detection part follows Sigma 2.1. Where the specification leaves a
// choice open, ttc decides as follows.
//
//   - Field names are JSON paths: "userIdentity.sessionContext.sessionIssuer.type"
//     walks nested objects. When a path crosses an array, each element is
//     followed and any element may match; a field whose value is an array
//     stands for its elements. Each item of a search is matched on its own,
//     so two items of one map may be satisfied by different elements of the
//     same array.
//   - A key that itself contains dots ("a.b") is found when the shorter
//     key ("a") is absent from that object: the nested reading wins.
//   - When an object repeats a key, the first occurrence counts
//     (encoding/json keeps the last; CloudTrail never repeats keys). This
//     lets the matcher stop reading a record once it has what its rules
//     need.
//   - Values are compared case-insensitively (per-rune lowering) unless
//     the cased modifier is given; re is case-sensitive unless its i flag
//     is given. Numbers and booleans of the record compare as their JSON
//     text ("1", "true"); a rule value written as a YAML number also
//     matches an equal JSON number written differently (5 and 5.0).
//     Equal means of exactly the same value, not the same float64:
//     12345678901234567890 does not match 12345678901234567891. (Numbers
//     of more than 100 characters are compared as float64.)
//   - Wildcards are '*' (any run) and '?' (one character), in plain values
//     and inside contains, startswith and endswith. `\*`, `\?` and `\\` are
//     literal; a backslash before anything else is itself.
//   - null matches a field that is missing or JSON null (or an empty
//     array). An empty rule value matches only the empty string. A
//     pattern made only of '*' matches any present, non-null value,
//     objects included.
//   - A string pattern applied to a JSON object matches when it matches
//     one of the scalars inside that object, the way SigmaHQ rules written
//     for flattened requestParameters expect. Options.StrictObjects turns
//     this off so that objects never match string patterns.
//   - Keywords (a list of strings, or a "|modifiers" key with no field)
//     match any scalar value of the record, never a key; a keyword without
//     contains, startswith or endswith matches anywhere in a value.
//   - neq holds when the field has a non-null value equal to none of the
//     listed values; a missing field does not satisfy neq.
//   - exists: true holds for a present field even when it is null.
//   - lt, lte, gt, gte read JSON numbers and numeric strings, and order
//     them by their exact values, as equality does. cidr reads
//     IPv4 and IPv6 addresses and ignores values that are not addresses
//     (sourceIPAddress can be a service name).
//   - re uses Go's RE2 and searches anywhere in the value; lookaround,
//     backreferences and atomic groups are refused when the rule compiles.
//   - fieldref compares with the value(s) of another field of the same
//     record, combined with contains, startswith, endswith, cased, neq or
//     all; the referenced value is literal, never a pattern.
//   - windash makes '-', '/', and the en dash, em dash and horizontal bar
//     interchangeable, as a character class rather than by expanding every
//     permutation.
//   - The time modifiers (minute, hour, day, week, month, year) read the
//     field as a date (RFC 3339, as CloudTrail's eventTime, and a few
//     variants) and compare the part as written, without zone conversion;
//     week is the ISO week. They combine with lt/lte/gt/gte.
//   - Conditions: or binds loosest, then and, then not, then "1 of"/"all
//     of", then parentheses; operators are lower case. "any of" is
//     accepted as "1 of". "them" excludes identifiers starting with '_'; a
//     pattern such as "_x*" may still name them. A list of conditions is
//     their OR.
//
// # Matching
//
// Compile indexes each rule on the eventName values its condition
// requires on every path that satisfies it; else on eventSource values;
// else on the exact values it requires of another of its fields
// (userIdentity.type, userAgent), preferring a field already indexed. A
// rule that pins none of its fields is tried on every record. Match reads
// a record's top-level keys lazily, looks up the indexed fields, evaluates
// only the candidate rules, and reads only the fields those rules ask for,
// each once per record; a field holding several values (through an array)
// or an object makes every rule of its index a candidate. Match reports
// ErrMalformed for records whose JSON is broken in the parts it read; it
// does not validate parts it never needed (the cloudtrail reader checks
// every record whole before a scan matches it).
// A Matcher is safe for concurrent use; per-call scratch space is pooled.
package detect
