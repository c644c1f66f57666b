package config

import "testing"

// The [s3_api] options of server-side encryption: the SSE-S3 master key
// (a secret, checked like rpc_secret) and SSE-C over plain HTTP.

func TestSSEMasterKeyFromFile(t *testing.T) {
	path := writeSecretFile(t, testSecret+"\n", 0o600)
	c := mustParse(t, minimalFile+"[s3_api]\nsse_master_key_file = \""+path+"\"\nallow_sse_c_over_http = true\n")
	if c.S3API.SSEMasterKey == nil || *c.S3API.SSEMasterKey != testSecretBytes {
		t.Errorf("SSEMasterKey = %x, want %s", c.S3API.SSEMasterKey, testSecret)
	}
	if !c.S3API.AllowSSECOverHTTP {
		t.Error("allow_sse_c_over_http = true was not read")
	}
}

func TestSSEDefaults(t *testing.T) {
	c := mustParse(t, minimalFile+"[s3_api]\n")
	if c.S3API.SSEMasterKey != nil || c.S3API.AllowSSECOverHTTP {
		t.Errorf("without options: SSEMasterKey = %v, AllowSSECOverHTTP = %v; want none, false", c.S3API.SSEMasterKey, c.S3API.AllowSSECOverHTTP)
	}
}

func TestSSEMasterKeyErrors(t *testing.T) {
	t.Run("not hex, named by file and line", func(t *testing.T) {
		path := writeSecretFile(t, "zz"+testSecret[2:], 0o600)
		got := parseErr(t, nil, minimalFile+"[s3_api]\nsse_master_key_file = \""+path+"\"\n")
		wantContains(t, got, "garage.toml:6:1: s3_api.sse_master_key_file (file "+path+"): must be 64 hex digits: contains a non-hex character")
	})
	t.Run("too short inline", func(t *testing.T) {
		got := parseErr(t, nil, minimalFile+"[s3_api]\napi_bind_addr = \"127.0.0.1:3900\"\nsse_master_key = \""+testSecret[1:]+"\"\n")
		wantContains(t, got, "garage.toml:7:1: s3_api.sse_master_key: must be 64 hex digits, got 63 characters")
	})
	t.Run("world-readable file refused", func(t *testing.T) {
		path := writeSecretFile(t, testSecret, 0o644)
		got := parseErr(t, nil, minimalFile+"[s3_api]\nsse_master_key_file = \""+path+"\"\n")
		wantContains(t, got, "garage.toml:6:1: s3_api.sse_master_key_file: secret file "+path+" is readable by group or others (mode 0644)")
	})
	t.Run("both inline and file", func(t *testing.T) {
		got := parseErr(t, nil, minimalFile+"[s3_api]\nsse_master_key = \""+testSecret+"\"\nsse_master_key_file = \"/x\"\n")
		wantContains(t, got, "garage.toml:7:1: s3_api.sse_master_key_file: set either sse_master_key or sse_master_key_file, not both")
	})
	t.Run("not a boolean", func(t *testing.T) {
		got := parseErr(t, nil, minimalFile+"[s3_api]\nallow_sse_c_over_http = \"yes\"\n")
		wantContains(t, got, "garage.toml:6:1: s3_api.allow_sse_c_over_http: expected true or false")
	})
}

func TestSSEMasterKeyFromEnvironment(t *testing.T) {
	c, err := parseEnv(map[string]string{EnvSSEMasterKey: testSecret}, minimalFile+"[s3_api]\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.S3API.SSEMasterKey == nil || *c.S3API.SSEMasterKey != testSecretBytes {
		t.Errorf("SSEMasterKey = %x from %s", c.S3API.SSEMasterKey, EnvSSEMasterKey)
	}
}
