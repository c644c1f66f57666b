package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestEmbeddedDefaultServesK2V: `garage serve` with no configuration
// serves the K2V API on 127.0.0.1:3904, says so in its banner, and the
// key it prints can write and read an item of the default bucket there.
func TestEmbeddedDefaultServesK2V(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with real processes")
	}
	e := startEmbedded(t, 60*time.Second)
	ctx, cmd, b := e.ctx, e.cmd, e.banner
	for _, want := range []string{`K2V endpoint:   http://127.0.0.1:3904 (SigV4 service "k2v")`, `serving the K2V API on http://127.0.0.1:3904 (region "garage", service "k2v")`} {
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
	send := func(method string, body []byte) (int, []byte) {
		req, err := http.NewRequest(method, "http://127.0.0.1:3904/default/greetings?sort_key=hello", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(body)
		req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
		req.Header.Set("Accept", "application/octet-stream")
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "k2v", "garage", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, data
	}
	if status, body := send("PUT", []byte("world")); status != http.StatusNoContent {
		t.Fatalf("InsertItem on the embedded default: %d %s", status, body)
	}
	if status, body := send("GET", nil); status != http.StatusOK || string(body) != "world" {
		t.Fatalf("ReadItem on the embedded default: %d %q", status, body)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("clean shutdown: %v", err)
	}
}
