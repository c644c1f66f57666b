package config

import (
	"strings"
	"testing"
)

// withoutSecret is minimalFile with no rpc_secret, for tests that supply it
// another way.
var withoutSecret = strings.Replace(minimalFile, `rpc_secret = "`+testSecret+`"`+"\n", "", 1)

const otherSecret = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

func TestSecretFromFile(t *testing.T) {
	path := writeSecretFile(t, "\n  "+testSecret+"\n", 0o600)
	c := mustParse(t, withoutSecret+`rpc_secret_file = "`+path+`"`+"\n")
	if c.RPCSecret != testSecretBytes {
		t.Errorf("RPCSecret = %x, want %s", c.RPCSecret, testSecret)
	}
}

func TestSecretFileContentErrorNamesTheFile(t *testing.T) {
	path := writeSecretFile(t, "not hex\n", 0o600)
	got := parseErr(t, nil, withoutSecret+`rpc_secret_file = "`+path+`"`+"\n")
	wantContains(t, got, "garage.toml:4:1: rpc_secret_file (file "+path+"): must be 64 hex digits, got 7 characters")
}

func TestSecretFileMissing(t *testing.T) {
	got := parseErr(t, nil, withoutSecret+`rpc_secret_file = "/nonexistent/rpc_secret"`+"\n")
	wantContains(t, got, "garage.toml:4:1: rpc_secret_file: cannot read secret file:", "/nonexistent/rpc_secret")
}

func TestWorldReadableSecretFile(t *testing.T) {
	path := writeSecretFile(t, testSecret, 0o644)
	doc := withoutSecret + `rpc_secret_file = "` + path + `"` + "\n"

	t.Run("refused", func(t *testing.T) {
		got := parseErr(t, nil, doc)
		wantContains(t, got,
			"garage.toml:4:1: rpc_secret_file: secret file "+path+" is readable by group or others (mode 0644)",
			"chmod 600 "+path, "allow_world_readable_secrets = true")
	})
	t.Run("group-readable refused too", func(t *testing.T) {
		groupPath := writeSecretFile(t, testSecret, 0o640)
		got := parseErr(t, nil, withoutSecret+`rpc_secret_file = "`+groupPath+`"`+"\n")
		wantContains(t, got, "mode 0640")
	})
	t.Run("allowed by the option", func(t *testing.T) {
		c := mustParse(t, doc+"allow_world_readable_secrets = true\n")
		if c.RPCSecret != testSecretBytes || !c.AllowWorldReadableSecrets {
			t.Errorf("RPCSecret = %x, AllowWorldReadableSecrets = %v", c.RPCSecret, c.AllowWorldReadableSecrets)
		}
	})
	t.Run("allowed by the environment", func(t *testing.T) {
		c, err := parseEnv(map[string]string{EnvAllowWorldReadableSecrets: "true"}, doc)
		if err != nil {
			t.Fatal(err)
		}
		if c.RPCSecret != testSecretBytes || !c.AllowWorldReadableSecrets {
			t.Errorf("RPCSecret = %x, AllowWorldReadableSecrets = %v", c.RPCSecret, c.AllowWorldReadableSecrets)
		}
	})
	t.Run("environment overrides the option", func(t *testing.T) {
		env := map[string]string{EnvAllowWorldReadableSecrets: "false"}
		got := parseErr(t, env, doc+"allow_world_readable_secrets = true\n")
		wantContains(t, got, "is readable by group or others")
	})
	t.Run("bad environment value", func(t *testing.T) {
		env := map[string]string{EnvAllowWorldReadableSecrets: "yes please"}
		got := parseErr(t, env, minimalFile)
		wantContains(t, got, `environment variable GARAGE_ALLOW_WORLD_READABLE_SECRETS: expected true or false, got "yes please"`)
	})
	t.Run("applies to the environment's secret file", func(t *testing.T) {
		got := parseErr(t, map[string]string{"GARAGE_RPC_SECRET_FILE": path}, withoutSecret)
		wantContains(t, got, "environment variable GARAGE_RPC_SECRET_FILE: secret file "+path+" is readable")
	})
}

func TestEnvironmentOverridesSecrets(t *testing.T) {
	t.Run("GARAGE_RPC_SECRET beats rpc_secret", func(t *testing.T) {
		c, err := parseEnv(map[string]string{EnvRPCSecret: otherSecret}, minimalFile)
		if err != nil {
			t.Fatal(err)
		}
		if c.RPCSecret[0] != 0xff {
			t.Errorf("RPCSecret = %x, want the environment's", c.RPCSecret)
		}
	})
	t.Run("GARAGE_RPC_SECRET_FILE beats rpc_secret", func(t *testing.T) {
		path := writeSecretFile(t, otherSecret, 0o600)
		c, err := parseEnv(map[string]string{"GARAGE_RPC_SECRET_FILE": path}, minimalFile)
		if err != nil {
			t.Fatal(err)
		}
		if c.RPCSecret[0] != 0xff {
			t.Errorf("RPCSecret = %x, want the environment file's", c.RPCSecret)
		}
	})
	t.Run("GARAGE_RPC_SECRET alone suffices", func(t *testing.T) {
		c, err := parseEnv(map[string]string{EnvRPCSecret: testSecret}, withoutSecret)
		if err != nil || c.RPCSecret != testSecretBytes {
			t.Fatalf("config %+v, error %v", c, err)
		}
	})
	t.Run("empty variable counts as unset", func(t *testing.T) {
		c, err := parseEnv(map[string]string{EnvRPCSecret: ""}, minimalFile)
		if err != nil || c.RPCSecret != testSecretBytes {
			t.Fatalf("config %+v, error %v", c, err)
		}
	})
	t.Run("bad secret in the environment", func(t *testing.T) {
		got := parseErr(t, map[string]string{EnvRPCSecret: "abc"}, minimalFile)
		wantContains(t, got, "garage.toml: environment variable GARAGE_RPC_SECRET: must be 64 hex digits, got 3 characters")
	})
	t.Run("both variables", func(t *testing.T) {
		env := map[string]string{EnvRPCSecret: testSecret, "GARAGE_RPC_SECRET_FILE": "/x"}
		got := parseErr(t, env, minimalFile)
		wantContains(t, got, "environment variable GARAGE_RPC_SECRET_FILE: set either GARAGE_RPC_SECRET or GARAGE_RPC_SECRET_FILE, not both")
	})
	t.Run("admin and metrics tokens", func(t *testing.T) {
		adminFile := writeSecretFile(t, "token-from-file\n", 0o600)
		metricsFile := writeSecretFile(t, "metrics-from-env-file\n", 0o600)
		doc := minimalFile + "[admin]\nadmin_token_file = \"" + adminFile + "\"\nmetrics_token = \"metrics-in-file\"\n"

		c := mustParse(t, doc)
		if c.Admin.AdminToken != "token-from-file" || c.Admin.MetricsToken != "metrics-in-file" {
			t.Errorf("without environment: Admin = %+v", c.Admin)
		}

		env := map[string]string{EnvAdminToken: "admin-from-env", "GARAGE_METRICS_TOKEN_FILE": metricsFile}
		c, err := parseEnv(env, doc)
		if err != nil {
			t.Fatal(err)
		}
		if c.Admin.AdminToken != "admin-from-env" || c.Admin.MetricsToken != "metrics-from-env-file" {
			t.Errorf("with environment: Admin = %+v", c.Admin)
		}
	})
	t.Run("token inline and from a file", func(t *testing.T) {
		got := parseErr(t, nil, minimalFile+"[admin]\nadmin_token = \"a\"\nadmin_token_file = \"/x\"\n")
		wantContains(t, got, "garage.toml:7:1: admin.admin_token_file: set either admin_token or admin_token_file, not both")
	})
	t.Run("blank token", func(t *testing.T) {
		got := parseErr(t, nil, minimalFile+"[admin]\nadmin_token = \"  \"\n")
		wantContains(t, got, "garage.toml:6:1: admin.admin_token: is blank")
	})
	t.Run("empty token file", func(t *testing.T) {
		path := writeSecretFile(t, " \n", 0o600)
		got := parseErr(t, nil, minimalFile+"[admin]\nmetrics_token_file = \""+path+"\"\n")
		wantContains(t, got, "garage.toml:6:1: admin.metrics_token_file (file "+path+"): secret file is empty")
	})
}
