package config

import (
	"strings"
	"testing"
)

const nodeID = "563e1ac825ee3323aa441e72c26d1030d6d4414aeb3dd25287c531e7fc2bc95d"

func TestParsePeer(t *testing.T) {
	for _, addr := range []string{"10.0.0.1:3901", "[fc00:1::1]:3901", "garage1.example:3901"} {
		p, err := ParsePeer(nodeID + "@" + addr)
		if err != nil {
			t.Fatalf("ParsePeer(%q): %v", addr, err)
		}
		if p.Addr != addr || p.ID[0] != 0x56 || p.ID[31] != 0x5d {
			t.Errorf("ParsePeer(%q) = %+v", addr, p)
		}
		if p.String() != nodeID+"@"+addr {
			t.Errorf("String() = %q, want the parsed text back", p.String())
		}
	}
}

func TestParsePeerRejects(t *testing.T) {
	cases := map[string]string{
		nodeID:                              "expected <node id>@<host:port>",
		nodeID[:62] + "@10.0.0.1:3901":      "node id: must be 64 hex digits, got 62 characters",
		"g" + nodeID[1:] + "@10.0.0.1:3901": "node id: must be 64 hex digits: contains a non-hex character",
		nodeID + "@10.0.0.1":                `address "10.0.0.1" is not host:port`,
		nodeID + "@:3901":                   `address ":3901" has no host`,
		nodeID + "@10.0.0.1:0":              `address "10.0.0.1:0" has port 0`,
		nodeID + "@10.0.0.1:http":           `address "10.0.0.1:http" has an invalid port`,
		nodeID + "@fc00::1:3901":            `is not host:port`,
	}
	for in, want := range cases {
		_, err := ParsePeer(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePeer(%q) error = %v, want one containing %q", in, err, want)
		}
	}
}
