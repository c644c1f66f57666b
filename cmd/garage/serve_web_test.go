package main

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestEmbeddedDefaultServesWebsites: `garage serve` with no configuration
// serves websites on 127.0.0.1:3902 under .web.localhost and says so in
// its banner; `garage bucket website --allow default` makes the default
// bucket's index.html the page of default.web.localhost, `garage bucket
// info` says website access is on, and --deny takes it away.
func TestEmbeddedDefaultServesWebsites(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with real processes")
	}
	e := startEmbedded(t, 60*time.Second)
	ctx, work, cmd, b := e.ctx, e.work, e.cmd, e.banner
	for _, want := range []string{
		`Web endpoint:   http://BUCKET.web.localhost:3902 (once: garage bucket website --allow BUCKET)`,
		`serving websites on http://127.0.0.1:3902 (root domain ".web.localhost")`,
	} {
		if !strings.Contains(b, want) {
			t.Fatalf("banner lacks %q:\n%s", want, b)
		}
	}
	id := regexp.MustCompile(`Access key ID:\s+(\S+)`).FindStringSubmatch(b)
	secret := regexp.MustCompile(`Secret key:\s+(\S+)`).FindStringSubmatch(b)
	if id == nil || secret == nil {
		t.Fatalf("no credentials in the banner:\n%s", b)
	}
	creds := aws.Credentials{AccessKeyID: id[1], SecretAccessKey: secret[1]}
	page := []byte("<h1>hello from garage</h1>")
	req, _ := http.NewRequest("PUT", "http://127.0.0.1:3900/default/index.html", strings.NewReader(string(page)))
	sum := sha256.Sum256(page)
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	req.Header.Set("Content-Type", "text/html")
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "s3", "garage", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PutObject: %d", resp.StatusCode)
	}

	cli := func(args ...string) string {
		c := exec.CommandContext(ctx, garageBinary(t), args...)
		c.Dir = work
		c.Env = cleanEnv()
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("garage %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	visit := func() (int, string) {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://127.0.0.1:3902/", nil)
		req.Host = "default.web.localhost:3902"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if status, _ := visit(); status != http.StatusNotFound {
		t.Fatalf("the default bucket before website --allow: %d, want 404", status)
	}
	if out := cli("bucket", "website", "--allow", "default"); !strings.Contains(out, "Website access allowed for default") {
		t.Fatalf("bucket website --allow: %s", out)
	}
	if status, body := visit(); status != http.StatusOK || body != string(page) {
		t.Fatalf("default.web.localhost after website --allow: %d %q", status, body)
	}
	if out := cli("bucket", "info", "default"); !strings.Contains(out, "Website:       on (index index.html, error document -)") {
		t.Fatalf("bucket info lacks website access:\n%s", out)
	}
	cli("bucket", "website", "--deny", "default")
	if status, _ := visit(); status != http.StatusNotFound {
		t.Fatalf("the default bucket after website --deny: %d, want 404", status)
	}
	if out := cli("bucket", "info", "default"); !strings.Contains(out, "Website:       off") {
		t.Fatalf("bucket info after --deny:\n%s", out)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("clean shutdown: %v", err)
	}
}
