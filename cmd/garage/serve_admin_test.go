package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestEmbeddedDefaultServesAdminAPI: `garage serve` with no configuration
// serves the admin API on 127.0.0.1:3903 with an admin token it wrote into
// its garage.toml, and its banner says where; `garage json-api` and
// `garage admin-token` then work against it with no flag.
func TestEmbeddedDefaultServesAdminAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with real processes")
	}
	e := startEmbedded(t, 90*time.Second)
	ctx, work, cmd, b := e.ctx, e.work, e.cmd, e.banner
	tomlPath := filepath.Join(work, "garage-data", "garage.toml")
	if p, err := filepath.EvalSymlinks(work); err == nil && !strings.Contains(b, tomlPath) {
		tomlPath = filepath.Join(p, "garage-data", "garage.toml")
	}
	for _, want := range []string{"Admin API:      http://127.0.0.1:3903 (bearer token: admin_token in " + tomlPath + ")",
		"serving the admin API on http://127.0.0.1:3903"} {
		if !strings.Contains(b, want) {
			t.Fatalf("banner lacks %q:\n%s", want, b)
		}
	}
	toml, err := os.ReadFile(tomlPath)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^admin_token = "([0-9a-f]{64})"$`).FindSubmatch(toml)
	if m == nil {
		t.Fatalf("no admin_token in garage.toml:\n%s", toml)
	}
	token := string(m[1])
	get := func(token, fn string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:3903/v2/"+fn, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body
	}
	status, body := get(token, "GetClusterHealth")
	var h struct {
		Status       string `json:"status"`
		StorageNodes int    `json:"storageNodes"`
	}
	if status != 200 || json.Unmarshal(body, &h) != nil || h.Status != "healthy" || h.StorageNodes != 1 {
		t.Fatalf("GetClusterHealth with the written token: %d %s", status, body)
	}
	garage := func(args ...string) string {
		t.Helper()
		c := exec.CommandContext(ctx, garageBinary(t), args...)
		c.Dir = work
		c.Env = cleanEnv()
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("garage %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if out := garage("json-api", "GetClusterStatus"); !strings.Contains(out, `"layoutVersion": 1`) {
		t.Fatalf("json-api GetClusterStatus:\n%s", out)
	}
	if out := garage("json-api", "GetKeyInfo", `{"search":"default","showSecretKey":true}`); !strings.Contains(out, `"secretAccessKey"`) {
		t.Fatalf("json-api GetKeyInfo:\n%s", out)
	}
	if out := garage("json-api", "UpdateKey", `{"id":"`+regexp.MustCompile(`Access key ID:\s+(\S+)`).FindStringSubmatch(b)[1]+`","body":{"name":"renamed"}}`); !strings.Contains(out, `"name": "renamed"`) {
		t.Fatalf("json-api UpdateKey:\n%s", out)
	}
	secret := strings.TrimSpace(garage("admin-token", "create", "-q", "--scope", "GetClusterStatus", "ci"))
	if status, body := get(secret, "GetClusterStatus"); status != 200 {
		t.Fatalf("the created token on GetClusterStatus: %d %s", status, body)
	}
	if status, _ := get(secret, "ListKeys"); status != http.StatusForbidden {
		t.Fatalf("the created token on ListKeys: %d, want 403", status)
	}
	if out := garage("admin-token", "list"); !strings.Contains(out, "ci") || !strings.Contains(out, "admin_token (from daemon configuration)") {
		t.Fatalf("admin-token list:\n%s", out)
	}
	if out := garage("admin-token", "info", "ci"); !strings.Contains(out, "Scope:       GetClusterStatus") {
		t.Fatalf("admin-token info:\n%s", out)
	}
	garage("admin-token", "set", "ci", "--scope", "GetClusterStatus,ListKeys")
	if status, body := get(secret, "ListKeys"); status != 200 {
		t.Fatalf("after set --scope: %d %s", status, body)
	}
	garage("admin-token", "delete", "ci", "--yes")
	if status, _ := get(secret, "GetClusterStatus"); status != http.StatusForbidden {
		t.Fatalf("a deleted token: %d, want 403", status)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("clean shutdown: %v", err)
	}
}
