package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/s3/s3err"
)

// MaxSize is S3's limit on a bucket policy, in bytes.
const MaxSize = 20 << 10

// maxStatements bounds the work of evaluating one policy.
const maxStatements = 1000

// Effect is a statement's verdict when it matches.
type Effect uint8

// The two effects.
const (
	Allow Effect = iota + 1
	Deny
)

// Policy is a parsed, validated bucket policy.
type Policy struct {
	Version    string
	ID         string
	Statements []Statement
}

// Statement is one statement of a policy.
type Statement struct {
	Sid    string
	Effect Effect
	// Principal: AnyPrincipal matches every request, signed or not; else
	// Keys lists the key ids it matches.
	AnyPrincipal bool
	Keys         []string
	// Actions (lowercased, with wildcards), or the actions it does not
	// match when NotAction.
	Actions   []string
	NotAction bool
	// Resources (ARNs with wildcards), or those it does not match when
	// NotResource.
	Resources   []string
	NotResource bool
	Conditions  []Condition
}

// Condition is one key's test in a statement's Condition block.
type Condition struct {
	Operator  string // as written, e.g. "ForAnyValue:StringLikeIfExists"
	op        operator
	qualifier string // "", "ForAnyValue" or "ForAllValues"
	ifExists  bool
	Key       string // lowercased
	Values    []string
	prefixes  []netip.Prefix // IP operators
	numbers   []float64      // numeric operators
	bools     []bool         // Bool, Null
}

func malformed(format string, args ...any) *s3err.Error {
	return s3err.New(s3err.MalformedPolicy, format, args...)
}

// Parse reads and validates a bucket policy for the bucket named by
// buckets (its names): every resource must be in it. With no names, the
// resources' buckets are not checked (a stored policy, already checked).
func Parse(data []byte, buckets ...string) (*Policy, error) {
	if len(data) > MaxSize {
		return nil, malformed("Policies must be at most %d bytes, not %d.", MaxSize, len(data))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, malformed("The policy is empty.")
	}
	var top map[string]json.RawMessage
	if err := strictUnmarshal(data, &top); err != nil {
		return nil, malformed("The policy is not a valid JSON object: %v.", err)
	}
	p := &Policy{}
	for name, raw := range top {
		switch name {
		case "Version":
			if err := json.Unmarshal(raw, &p.Version); err != nil {
				return nil, malformed("Version must be a string.")
			}
		case "Id":
			if err := json.Unmarshal(raw, &p.ID); err != nil {
				return nil, malformed("Id must be a string.")
			}
		case "Statement":
		default:
			return nil, malformed("Unknown field %q in the policy.", name)
		}
	}
	if p.Version != "" && p.Version != "2012-10-17" && p.Version != "2008-10-17" {
		return nil, malformed("The policy's Version %q is not 2012-10-17 or 2008-10-17.", p.Version)
	}
	raw, ok := top["Statement"]
	if !ok {
		return nil, malformed("Missing required field Statement.")
	}
	statements, err := oneOrMany(raw)
	if err != nil {
		return nil, malformed("Statement must be an object or a list of objects.")
	}
	if len(statements) == 0 {
		return nil, malformed("Statement must not be empty.")
	}
	if len(statements) > maxStatements {
		return nil, malformed("The policy has more than %d statements.", maxStatements)
	}
	sids := map[string]bool{}
	for i, raw := range statements {
		s, err := parseStatement(raw, buckets)
		if err != nil {
			return nil, malformed("Statement %d: %s", i+1, err.(*s3err.Error).Message)
		}
		if s.Sid != "" {
			if sids[s.Sid] {
				return nil, malformed("Statement ids (Sid) must be unique: %q is repeated.", s.Sid)
			}
			sids[s.Sid] = true
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

// strictUnmarshal decodes one JSON value, refusing trailing data.
func strictUnmarshal(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("data after the policy object")
	}
	if _, err := d.Token(); err == nil {
		return fmt.Errorf("data after the policy object")
	}
	return nil
}

// oneOrMany reads a value that is one element or a list of them.
func oneOrMany(raw json.RawMessage) ([]json.RawMessage, error) {
	t := bytes.TrimSpace(raw)
	if len(t) > 0 && t[0] == '[' {
		var list []json.RawMessage
		err := json.Unmarshal(t, &list)
		return list, err
	}
	return []json.RawMessage{t}, nil
}

// stringOrList reads a string or a list of strings.
func stringOrList(raw json.RawMessage) ([]string, error) {
	items, err := oneOrMany(raw)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		var s string
		if err := json.Unmarshal(it, &s); err != nil {
			return nil, fmt.Errorf("want a string or a list of strings")
		}
		out = append(out, s)
	}
	return out, nil
}

func parseStatement(raw json.RawMessage, buckets []string) (Statement, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return Statement{}, malformed("a statement must be a JSON object.")
	}
	var s Statement
	for name := range fields {
		switch name {
		case "Sid", "Effect", "Principal", "Action", "NotAction", "Resource", "NotResource", "Condition":
		case "NotPrincipal":
			return s, malformed("NotPrincipal is not supported by this store.")
		default:
			return s, malformed("unknown field %q.", name)
		}
	}
	if raw, ok := fields["Sid"]; ok {
		if err := json.Unmarshal(raw, &s.Sid); err != nil {
			return s, malformed("Sid must be a string.")
		}
	}
	var effect string
	if err := json.Unmarshal(fields["Effect"], &effect); err != nil {
		return s, malformed("Effect must be Allow or Deny.")
	}
	switch effect {
	case "Allow":
		s.Effect = Allow
	case "Deny":
		s.Effect = Deny
	default:
		return s, malformed("Effect must be Allow or Deny, not %q.", effect)
	}
	if err := s.parsePrincipal(fields["Principal"]); err != nil {
		return s, err
	}
	var err error
	if s.Actions, s.NotAction, err = exactlyOne(fields, "Action", "NotAction"); err != nil {
		return s, err
	}
	for i, a := range s.Actions {
		if !validAction(a) {
			return s, malformed("Policy has invalid action %q.", a)
		}
		s.Actions[i] = strings.ToLower(a)
	}
	if s.Resources, s.NotResource, err = exactlyOne(fields, "Resource", "NotResource"); err != nil {
		return s, err
	}
	for _, r := range s.Resources {
		if err := validResource(r, buckets); err != nil {
			return s, err
		}
	}
	if raw, ok := fields["Condition"]; ok {
		if s.Conditions, err = parseConditions(raw); err != nil {
			return s, err
		}
	}
	return s, nil
}

// exactlyOne reads the one of two alternative fields a statement has.
func exactlyOne(fields map[string]json.RawMessage, name, notName string) ([]string, bool, error) {
	raw, has := fields[name]
	notRaw, hasNot := fields[notName]
	switch {
	case has && hasNot:
		return nil, false, malformed("a statement has %s or %s, not both.", name, notName)
	case !has && !hasNot:
		return nil, false, malformed("missing required field %s (or %s).", name, notName)
	case hasNot:
		raw = notRaw
	}
	list, err := stringOrList(raw)
	if err != nil || len(list) == 0 {
		return nil, false, malformed("%s must be a string or a non-empty list of strings.", name)
	}
	return list, hasNot, nil
}

func (s *Statement) parsePrincipal(raw json.RawMessage) error {
	if raw == nil {
		return malformed("missing required field Principal.")
	}
	var star string
	if json.Unmarshal(raw, &star) == nil {
		if star != "*" {
			return malformed("Invalid principal in policy: %q (use \"*\" or {\"AWS\": ...}).", star)
		}
		s.AnyPrincipal = true
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || len(m) == 0 {
		return malformed("Invalid principal in policy: want \"*\" or an object of principal types.")
	}
	for kind, v := range m {
		if kind != "AWS" && kind != "CanonicalUser" {
			return malformed("Invalid principal in policy: the principal type %q is not supported (use AWS or CanonicalUser).", kind)
		}
		names, err := stringOrList(v)
		if err != nil || len(names) == 0 {
			return malformed("Invalid principal in policy: %s must be a string or a list of strings.", kind)
		}
		for _, n := range names {
			if n == "*" && kind == "AWS" {
				s.AnyPrincipal = true
				continue
			}
			id, ok := principalKey(n)
			if !ok {
				return malformed("Invalid principal in policy: %q names no access key (use a key id, arn:aws:iam::<key id>:root or arn:aws:iam::<account>:user/<key id>).", n)
			}
			if !slices.Contains(s.Keys, id) {
				s.Keys = append(s.Keys, id)
			}
		}
	}
	slices.Sort(s.Keys)
	return nil
}

// principalKey finds the key id a principal names: the id itself, or an
// IAM ARN whose account or user name is one.
func principalKey(p string) (string, bool) {
	if model.ValidKeyID(p) == nil {
		return p, true
	}
	rest, ok := strings.CutPrefix(p, "arn:aws:iam::")
	if !ok {
		return "", false
	}
	account, resource, ok := strings.Cut(rest, ":")
	if !ok {
		return "", false
	}
	if resource == "root" && model.ValidKeyID(account) == nil {
		return account, true
	}
	if user, ok := strings.CutPrefix(resource, "user/"); ok && model.ValidKeyID(user) == nil {
		return user, true
	}
	return "", false
}

// validAction accepts "*", or "s3:" and a name that is a known S3 action
// or a wildcard pattern of letters.
func validAction(a string) bool {
	if a == "*" {
		return true
	}
	service, name, ok := strings.Cut(a, ":")
	if !ok || !strings.EqualFold(service, "s3") || name == "" {
		return false
	}
	if strings.ContainsAny(name, "*?") {
		return strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ*?") == ""
	}
	_, known := knownActions[strings.ToLower(name)]
	return known
}

// validResource accepts "*" and S3 ARNs of the bucket or of objects in it.
func validResource(r string, buckets []string) error {
	if r == "*" {
		return nil
	}
	if strings.Contains(r, "${") {
		return malformed("Policy has invalid resource %q: policy variables are not supported.", r)
	}
	rest, ok := strings.CutPrefix(r, "arn:aws:s3:::")
	if !ok || rest == "" {
		return malformed("Policy has invalid resource %q: want arn:aws:s3:::<bucket> or arn:aws:s3:::<bucket>/<key>.", r)
	}
	b, _, _ := strings.Cut(rest, "/")
	if len(buckets) == 0 || slices.ContainsFunc(buckets, func(name string) bool { return wildcardMatch(b, name, false) }) {
		return nil
	}
	return malformed("Policy has invalid resource %q: a bucket policy's resources must be in the bucket (%s).", r, strings.Join(buckets, ", "))
}

// operator is a condition operator: how it compares the request's values
// with the policy's.
type operator struct {
	kind    opKind
	negated bool
	cmp     string // numeric comparison: "=", "<", "<=", ">", ">="
	fold    bool   // StringEqualsIgnoreCase
}

type opKind uint8

const (
	opString opKind = iota
	opStringLike
	opNumeric
	opIP
	opBool
	opNull
)

var operators = map[string]operator{
	"StringEquals":              {kind: opString},
	"StringNotEquals":           {kind: opString, negated: true},
	"StringEqualsIgnoreCase":    {kind: opString, fold: true},
	"StringNotEqualsIgnoreCase": {kind: opString, negated: true, fold: true},
	"StringLike":                {kind: opStringLike},
	"StringNotLike":             {kind: opStringLike, negated: true},
	"NumericEquals":             {kind: opNumeric, cmp: "="},
	"NumericNotEquals":          {kind: opNumeric, cmp: "=", negated: true},
	"NumericLessThan":           {kind: opNumeric, cmp: "<"},
	"NumericLessThanEquals":     {kind: opNumeric, cmp: "<="},
	"NumericGreaterThan":        {kind: opNumeric, cmp: ">"},
	"NumericGreaterThanEquals":  {kind: opNumeric, cmp: ">="},
	"IpAddress":                 {kind: opIP},
	"NotIpAddress":              {kind: opIP, negated: true},
	"Bool":                      {kind: opBool},
	"Null":                      {kind: opNull},
}

// keyKind says which operators a condition key takes.
type keyKind uint8

const (
	keyString keyKind = iota
	keyNumber
	keyIP
	keyBool
)

// conditionKeys are the condition keys this store fills in (lowercased).
var conditionKeys = map[string]keyKind{
	"aws:sourceip":        keyIP,
	"aws:securetransport": keyBool,
	"aws:referer":         keyString,
	"aws:useragent":       keyString,
	"s3:prefix":           keyString,
	"s3:delimiter":        keyString,
	"s3:max-keys":         keyNumber,
	"s3:x-amz-acl":        keyString,
}

// tagKeyPrefix is the condition key family of an object's tags.
const tagKeyPrefix = "s3:existingobjecttag/"

func parseConditions(raw json.RawMessage) ([]Condition, error) {
	var block map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &block); err != nil {
		return nil, malformed("Condition must be an object of operators, each an object of keys.")
	}
	var out []Condition
	for name, keys := range block {
		c := Condition{Operator: name}
		base := name
		if q, rest, ok := strings.Cut(base, ":"); ok {
			if q != "ForAnyValue" && q != "ForAllValues" {
				return nil, malformed("Invalid Condition type %q: unknown qualifier %q.", name, q)
			}
			c.qualifier, base = q, rest
		}
		if b, ok := strings.CutSuffix(base, "IfExists"); ok && b != "Null" {
			c.ifExists, base = true, b
		}
		op, ok := operators[base]
		if !ok {
			return nil, malformed("Invalid Condition type: unknown operator %q.", name)
		}
		if op.kind == opNull && (c.ifExists || c.qualifier != "") {
			return nil, malformed("Invalid Condition type %q: Null takes no qualifier.", name)
		}
		c.op = op
		if len(keys) == 0 {
			return nil, malformed("Condition operator %s names no key.", name)
		}
		for key, v := range keys {
			kc := c
			kc.Key = strings.ToLower(key)
			values, err := stringOrScalarList(v)
			if err != nil || len(values) == 0 {
				return nil, malformed("The values of condition %s %s must be a string, number, boolean or a non-empty list of them.", name, key)
			}
			kc.Values = values
			if err := kc.compile(); err != nil {
				return nil, err
			}
			out = append(out, kc)
		}
	}
	// Map order is random: sort so that a policy parses to one value.
	slices.SortFunc(out, func(a, b Condition) int {
		if c := strings.Compare(a.Operator, b.Operator); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out, nil
}

// stringOrScalarList reads condition values: strings, numbers and
// booleans, alone or in a list, as their JSON text.
func stringOrScalarList(raw json.RawMessage) ([]string, error) {
	items, err := oneOrMany(raw)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		var v any
		d := json.NewDecoder(bytes.NewReader(it))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			return nil, err
		}
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case json.Number:
			out = append(out, v.String())
		case bool:
			out = append(out, strconv.FormatBool(v))
		default:
			return nil, fmt.Errorf("not a scalar")
		}
	}
	return out, nil
}

// compile checks that the operator fits the key and reads the values.
func (c *Condition) compile() error {
	kind, known := conditionKeys[c.Key]
	if !known {
		tag, isTag := strings.CutPrefix(c.Key, tagKeyPrefix)
		if !isTag || tag == "" {
			return malformed("Policy has an invalid condition key %q (this store knows aws:SourceIp, aws:SecureTransport, aws:Referer, aws:UserAgent, s3:prefix, s3:delimiter, s3:max-keys, s3:x-amz-acl and s3:ExistingObjectTag/<key>).", c.Key)
		}
		kind = keyString
	}
	mismatch := func() error {
		return malformed("The condition operator %s cannot be used with the key %s.", c.Operator, c.Key)
	}
	switch c.op.kind {
	case opNull:
		for _, v := range c.Values {
			b, err := strconv.ParseBool(v)
			if err != nil || (v != "true" && v != "false") {
				return malformed("Null takes true or false, not %q.", v)
			}
			c.bools = append(c.bools, b)
		}
	case opIP:
		if kind != keyIP {
			return mismatch()
		}
		for _, v := range c.Values {
			pr, err := parsePrefix(v)
			if err != nil {
				return malformed("Invalid IP address or range %q in condition %s.", v, c.Operator)
			}
			c.prefixes = append(c.prefixes, pr)
		}
	case opBool:
		if kind != keyBool {
			return mismatch()
		}
		for _, v := range c.Values {
			if v != "true" && v != "false" {
				return malformed("Bool takes true or false, not %q.", v)
			}
			c.bools = append(c.bools, v == "true")
		}
	case opNumeric:
		if kind != keyNumber {
			return mismatch()
		}
		for _, v := range c.Values {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return malformed("Numeric condition %s takes numbers, not %q.", c.Operator, v)
			}
			c.numbers = append(c.numbers, f)
		}
	default: // string operators
		if kind == keyIP || kind == keyBool {
			return mismatch()
		}
	}
	return nil
}

// parsePrefix reads an address or a CIDR range.
func parsePrefix(v string) (netip.Prefix, error) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}
