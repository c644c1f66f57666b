package postpolicy

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/garagego/garage/node/s3/s3err"
)

// maxPolicySize bounds the base64 policy text. AWS caps all the form
// fields before the file at 20 KB.
const maxPolicySize = 64 << 10

// Policy is a decoded POST policy.
type Policy struct {
	Expiration time.Time
	Conditions []Condition
}

// Parse decodes a base64 POST policy. Undecodable text is a
// MalformedPOSTRequest; a document that is JSON but not a valid policy is
// an InvalidArgument.
func Parse(policyBase64 string) (Policy, error) {
	if len(policyBase64) > maxPolicySize {
		return Policy{}, invalid("the policy is larger than %d bytes.", maxPolicySize)
	}
	doc, ok := decodeBase64(policyBase64)
	if !ok {
		return Policy{}, s3err.New(s3err.MalformedPOSTRequest, "Invalid Policy: Invalid Base64 encoding.")
	}
	// A map rather than a struct: encoding/json would match "EXPIRATION"
	// to an "expiration" field, and AWS's keys are case-sensitive.
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc, &top); err != nil {
		return Policy{}, s3err.New(s3err.MalformedPOSTRequest, "Invalid Policy: Invalid JSON.")
	}
	expiration, err := parseExpiration(top)
	if err != nil {
		return Policy{}, err
	}
	raw, ok := top["conditions"]
	var entries []json.RawMessage
	if !ok || json.Unmarshal(raw, &entries) != nil || entries == nil {
		return Policy{}, invalid("Policy missing conditions.")
	}
	p := Policy{Expiration: expiration, Conditions: make([]Condition, 0, len(entries))}
	for _, entry := range entries {
		c, err := parseCondition(entry)
		if err != nil {
			return Policy{}, err
		}
		p.Conditions = append(p.Conditions, c)
	}
	return p, nil
}

// decodeBase64 accepts the policy with or without padding, and with line
// breaks, which some encoders insert.
func decodeBase64(s string) ([]byte, bool) {
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	if doc, err := base64.StdEncoding.DecodeString(s); err == nil {
		return doc, true
	}
	doc, err := base64.RawStdEncoding.DecodeString(s)
	return doc, err == nil
}

func parseExpiration(top map[string]json.RawMessage) (time.Time, error) {
	raw, ok := top["expiration"]
	if !ok {
		return time.Time{}, invalid("Policy missing expiration.")
	}
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		return time.Time{}, invalid("Invalid 'expiration' value.")
	}
	// RFC 3339 parsing also takes the ".000Z" milliseconds AWS's examples use.
	t, err := time.Parse(time.RFC3339, text)
	if err != nil {
		return time.Time{}, invalid("Invalid 'expiration' value: '%s'", text)
	}
	return t, nil
}

func invalid(format string, args ...any) error {
	return s3err.New(s3err.InvalidArgument, "Invalid Policy: "+format, args...)
}
