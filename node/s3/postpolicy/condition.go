package postpolicy

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Operator is how a condition matches.
type Operator int

// The condition operators.
const (
	OpEq                 Operator = iota + 1 // the field equals the value
	OpStartsWith                             // the field starts with the value
	OpContentLengthRange                     // the file's size is within [Min, Max]
)

// Condition is one entry of a policy's conditions.
type Condition struct {
	Op    Operator
	Field string // the form field, lowercase and without its '$'
	Value string // for OpEq and OpStartsWith
	Min   int64  // for OpContentLengthRange
	Max   int64

	// unsatisfiable marks a condition AWS accepts in a policy but that no
	// form can meet: a field named without its '$', or size bounds that
	// are not integers.
	unsatisfiable bool
	text          string // the condition as AWS quotes it in errors
}

// String is the condition as AWS quotes it in its errors, simple
// conditions written as "eq" arrays.
func (c Condition) String() string { return c.text }

// parseCondition parses {"field": "value"} or an [operator, ...] array.
func parseCondition(raw json.RawMessage) (Condition, error) {
	switch raw = bytes.TrimSpace(raw); {
	case len(raw) > 0 && raw[0] == '{':
		return parseSimpleCondition(raw)
	case len(raw) > 0 && raw[0] == '[':
		return parseArrayCondition(raw)
	}
	return Condition{}, invalid("Invalid Condition: a condition must be an object or an array.")
}

func parseSimpleCondition(raw json.RawMessage) (Condition, error) {
	var entry map[string]json.RawMessage
	if err := json.Unmarshal(raw, &entry); err != nil {
		return Condition{}, invalid("Invalid Simple-Condition.")
	}
	if len(entry) != 1 {
		return Condition{}, invalid("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
	}
	var name string
	var rawValue json.RawMessage
	for k, v := range entry { // the only entry
		name, rawValue = k, v
	}
	var value string
	if err := json.Unmarshal(rawValue, &value); err != nil {
		return Condition{}, invalid("Invalid Simple-Condition: value must be a string.")
	}
	return fieldCondition(OpEq, "eq", "$"+name, value), nil
}

func parseArrayCondition(raw json.RawMessage) (Condition, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || len(items) == 0 {
		return Condition{}, invalid("Invalid Condition: an array condition needs an operator.")
	}
	var op string
	if err := json.Unmarshal(items[0], &op); err != nil {
		return Condition{}, invalid("Invalid Condition: the operator must be a string.")
	}
	switch op = strings.ToLower(op); op {
	case "eq", "starts-with":
		var name, value string
		if len(items) != 3 || json.Unmarshal(items[1], &name) != nil || json.Unmarshal(items[2], &value) != nil {
			return Condition{}, invalid("Invalid Condition: %q takes a field name and a string value.", op)
		}
		kind := OpEq
		if op == "starts-with" {
			kind = OpStartsWith
		}
		return fieldCondition(kind, op, name, value), nil
	case "content-length-range":
		return parseRange(items)
	}
	return Condition{}, invalid("Invalid Condition: unknown operator %q.", op)
}

// fieldCondition makes an eq or starts-with condition on the field the
// policy names as name ("$Content-Type").
func fieldCondition(op Operator, opName, name, value string) Condition {
	c := Condition{Op: op, Value: value, text: "[" + quote(opName) + ", " + quote(name) + ", " + quote(value) + "]"}
	field, ok := strings.CutPrefix(name, "$")
	if !ok || field == "" {
		c.unsatisfiable = true
		return c
	}
	c.Field = strings.ToLower(field)
	return c
}

// parseRange parses ["content-length-range", min, max]. Bounds may be
// numbers or numeric strings, as S3 accepts both.
func parseRange(items []json.RawMessage) (Condition, error) {
	if len(items) != 3 {
		return Condition{}, invalid("Invalid Condition: content-length-range takes a minimum and a maximum.")
	}
	c := Condition{Op: OpContentLengthRange, text: "[\"content-length-range\", " + compact(items[1]) + ", " + compact(items[2]) + "]"}
	lo, okLo := parseBound(items[1])
	hi, okHi := parseBound(items[2])
	if (okLo && lo < 0) || (okHi && hi < 0) {
		return Condition{}, invalid("Invalid Condition: content-length-range bounds must not be negative.")
	}
	c.Min, c.Max = lo, hi
	c.unsatisfiable = !okLo || !okHi
	return c, nil
}

func parseBound(raw json.RawMessage) (int64, bool) {
	var text string
	if json.Unmarshal(raw, &text) != nil {
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return 0, false
		}
		text = n.String()
	}
	v, err := strconv.ParseInt(text, 10, 64)
	return v, err == nil
}

// quote writes s as a JSON string, without the HTML escaping
// encoding/json adds by default.
func quote(s string) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	_ = e.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}
