package s3api_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/netip"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/garagego/garage/internal/localcluster"
	"github.com/garagego/garage/node/runtime/s3api"
)

// postRootDomain is the root domain of the PostObject cluster, for
// virtual-hosted-style forms.
const postRootDomain = ".s3.garage.localhost"

// TestE2EPostObject: browser form uploads against a cluster that serves
// virtual-hosted-style requests and trusts the local proxy's
// X-Forwarded-Proto, with an SSE-S3 master key, with forms signed here (raw HTTP: no SDK sends
// PostObject) and by boto3's generate_presigned_post.
func TestE2EPostObject(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests start a cluster")
	}
	e := startEnvWith(t, localcluster.Options{Nodes: 3, TuneAPI: func(_ int, cfg *s3api.Config) {
		cfg.RootDomain = postRootDomain
		cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
		cfg.SSEMasterKey = &sseMasterKey
	}})
	e.createBucket(t, "post-other")
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *env)
	}{
		{"BucketField", testPostBucketField},
		{"Location", testPostLocation},
		{"SuccessStatus", testPostSuccessStatus},
		{"SuccessRedirect", testPostSuccessRedirect},
		{"ExtraFields", testPostExtraFields},
		{"Checksums", testPostChecksums},
		{"Encryption", testPostEncryption},
		{"FileName", testPostFileName},
		{"Boto3", testPostBoto3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, e)
		})
	}
}

// postFormSpec is a form to send: its fields in order, then the file part
// with its Content-Disposition's filename (absent if noFilename).
type postFormSpec struct {
	fields     [][2]string
	filename   string
	noFilename bool
	file       []byte
}

// signedForm builds a form with a SigV4 policy made of conditions (plus
// the ones on the signature fields, which the form carries) signed with
// the cluster's key; fields are the form's other fields, in order.
func policyForm(t *testing.T, e *env, conditions []any, fields ...string) postFormSpec {
	t.Helper()
	now := time.Now().UTC()
	credential := e.c.KeyID + "/" + now.Format("20060102") + "/" + localcluster.Region + "/s3/aws4_request"
	date := now.Format("20060102T150405Z")
	conditions = append(conditions,
		map[string]string{"x-amz-algorithm": "AWS4-HMAC-SHA256"},
		map[string]string{"x-amz-credential": credential},
		map[string]string{"x-amz-date": date})
	doc, err := json.Marshal(map[string]any{"expiration": now.Add(10 * time.Minute).Format(time.RFC3339), "conditions": conditions})
	must(t, err, "policy")
	policy := base64.StdEncoding.EncodeToString(doc)
	f := postFormSpec{filename: "upload.txt", file: []byte("posted by a form\n")}
	for i := 0; i+1 < len(fields); i += 2 {
		f.fields = append(f.fields, [2]string{fields[i], fields[i+1]})
	}
	f.fields = append(f.fields, [2]string{"x-amz-algorithm", "AWS4-HMAC-SHA256"}, [2]string{"x-amz-credential", credential},
		[2]string{"x-amz-date", date}, [2]string{"policy", policy}, [2]string{"x-amz-signature", postSignature(e, now, policy)})
	return f
}

// postSignature is the SigV4 signature of a base64 POST policy by the
// cluster's key on now's day.
func postSignature(e *env, now time.Time, policy string) string {
	key := []byte("AWS4" + e.c.Secret)
	for _, part := range []string{now.Format("20060102"), localcluster.Region, "s3", "aws4_request", policy} {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(part))
		key = mac.Sum(nil)
	}
	return hex.EncodeToString(key)
}

// eq is a policy's exact-match condition.
func eq(field, value string) []any { return []any{"eq", "$" + field, value} }

// sendPostForm posts f to u, tune adjusting the request (its Host, its
// headers); the client does not follow redirects, so a 303 is seen.
func sendPostForm(t *testing.T, u string, f postFormSpec, tune ...func(*http.Request)) *http.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, kv := range f.fields {
		must(t, w.WriteField(kv[0], kv[1]), "form field")
	}
	h := textproto.MIMEHeader{}
	if f.noFilename {
		h.Set("Content-Disposition", `form-data; name="file"`)
	} else {
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, f.filename))
	}
	fw, err := w.CreatePart(h)
	must(t, err, "file part")
	fw.Write(f.file) //nolint:errcheck // in memory
	must(t, w.Close(), "form")
	req := newRequest(t, http.MethodPost, u, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	for _, f := range tune {
		f(req)
	}
	cl := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := cl.Do(req)
	must(t, err, "POST")
	if resp.Header.Get("x-amz-request-id") == "" {
		t.Errorf("POST %s: %d response without x-amz-request-id", u, resp.StatusCode)
	}
	return resp
}

// wantPosted checks a form upload answered status and stored data at key.
func wantPosted(t *testing.T, e *env, resp *http.Response, status int, bucket, key string, data []byte) []byte {
	t.Helper()
	body := readAll(t, resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("POST: want %d, got %d: %s", status, resp.StatusCode, body)
	}
	if got := getBytes(t, e.s3(t, 1), bucket, key); !bytes.Equal(got, data) {
		t.Errorf("%s/%s holds %q, want %q", bucket, key, got, data)
	}
	return body
}

// wantAbsentIn checks that nothing was stored at bucket/key.
func wantAbsentIn(t *testing.T, e *env, bucket, key string) {
	t.Helper()
	_, err := e.s3(t, 2).HeadObject(testCtx(t), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	wantAPIError(t, err, "NotFound", http.StatusNotFound)
}

// testPostBucketField: the bucket written is the URL's, and the policy's
// bucket condition is checked against it; a form whose bucket field names
// another bucket is refused, whatever its policy says, and writes nothing
// in either bucket.
func testPostBucketField(t *testing.T, e *env) {
	endpoint := e.c.Nodes[0].Endpoint
	const key = "bucket-field/k"
	// The policy and the field both say post-other; the URL says bucket.
	f := policyForm(t, e, []any{map[string]string{"bucket": "post-other"}, eq("key", key)}, "key", key, "bucket", "post-other")
	wantHTTPError(t, sendPostForm(t, endpoint+"/bucket", f), "AccessDenied", http.StatusForbidden)
	// A policy with no bucket condition: the field alone disagrees.
	f = policyForm(t, e, []any{eq("key", key)}, "key", key, "bucket", "post-other")
	wantHTTPError(t, sendPostForm(t, endpoint+"/bucket", f), "AccessDenied", http.StatusForbidden)
	// No field: the policy's condition is held to the URL's bucket.
	f = policyForm(t, e, []any{map[string]string{"bucket": "post-other"}, eq("key", key)}, "key", key)
	wantHTTPError(t, sendPostForm(t, endpoint+"/bucket", f), "AccessDenied", http.StatusForbidden)
	for _, b := range []string{"bucket", "post-other"} {
		wantAbsentIn(t, e, b, key)
	}
	// The same form sent where its policy points works, with or without
	// a field that agrees.
	f = policyForm(t, e, []any{map[string]string{"bucket": "post-other"}, eq("key", key)}, "key", key, "bucket", "post-other")
	wantPosted(t, e, sendPostForm(t, endpoint+"/post-other", f), http.StatusNoContent, "post-other", key, f.file)
	wantAbsent(t, e, key)
}

// testPostLocation: Location, in the header and in the 201 document, is
// the object's absolute URL as the request addressed it, the key escaped
// as S3 escapes it ('/' included).
func testPostLocation(t *testing.T, e *env) {
	endpoint := e.c.Nodes[1].Endpoint
	u, err := url.Parse(endpoint)
	must(t, err, "endpoint")
	const key = "loc/a b+c.txt"
	const escaped = "loc%2Fa%20b%2Bc.txt"
	for _, tc := range []struct {
		name string
		url  string
		tune func(*http.Request)
		want string
	}{
		{"path style", endpoint + "/bucket", nil, "http://" + u.Host + "/bucket/" + escaped},
		{"virtual-hosted style", endpoint + "/", func(r *http.Request) { r.Host = "bucket" + postRootDomain + ":" + u.Port() },
			"http://bucket" + postRootDomain + ":" + u.Port() + "/" + escaped},
		{"behind a trusted TLS proxy", endpoint + "/bucket", func(r *http.Request) { r.Header.Set("X-Forwarded-Proto", "https") },
			"https://" + u.Host + "/bucket/" + escaped},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := policyForm(t, e, []any{map[string]string{"bucket": "bucket"}, eq("key", key), eq("success_action_status", "201")},
				"key", key, "success_action_status", "201")
			var tune []func(*http.Request)
			if tc.tune != nil {
				tune = append(tune, tc.tune)
			}
			resp := sendPostForm(t, tc.url, f, tune...)
			body := wantPosted(t, e, resp, http.StatusCreated, "bucket", key, f.file)
			if got := resp.Header.Get("Location"); got != tc.want {
				t.Errorf("Location header %q, want %q", got, tc.want)
			}
			var pr postResponse
			must(t, xml.Unmarshal(body, &pr), "PostResponse")
			if pr.Location != tc.want || pr.Bucket != "bucket" || pr.Key != key || pr.ETag != `"`+md5Hex(f.file)+`"` {
				t.Errorf("PostResponse %+v, want Location %q", pr, tc.want)
			}
		})
	}
}

// testPostSuccessStatus: 200 and 204 answer with no body, 201 with the
// PostResponse document; no value, or any other, is a 204.
func testPostSuccessStatus(t *testing.T, e *env) {
	endpoint := e.c.Nodes[2].Endpoint
	for _, tc := range []struct {
		value string
		want  int
	}{{"200", 200}, {"201", 201}, {"204", 204}, {"", 204}, {"404", 204}, {"202", 204}, {"ok", 204}} {
		t.Run("status "+tc.value, func(t *testing.T) {
			key := "status/" + tc.value
			conds := []any{eq("key", key)}
			fields := []string{"key", key}
			if tc.value != "" {
				conds = append(conds, eq("success_action_status", tc.value))
				fields = append(fields, "success_action_status", tc.value)
			}
			f := policyForm(t, e, conds, fields...)
			resp := sendPostForm(t, endpoint+"/bucket", f)
			body := wantPosted(t, e, resp, tc.want, "bucket", key, f.file)
			if tc.want == 201 {
				var pr postResponse
				if err := xml.Unmarshal(body, &pr); err != nil || pr.Key != key {
					t.Errorf("201 body %q (%v)", body, err)
				}
			} else if len(body) != 0 {
				t.Errorf("%d with a body: %q", tc.want, body)
			}
			if resp.Header.Get("ETag") != `"`+md5Hex(f.file)+`"` {
				t.Errorf("ETag %q", resp.Header.Get("ETag"))
			}
		})
	}
}

// testPostSuccessRedirect: success_action_redirect (or the legacy
// redirect) answers 303 to its URL with bucket, key and the quoted ETag
// appended to its query; a URL S3 cannot interpret is ignored.
func testPostSuccessRedirect(t *testing.T, e *env) {
	endpoint := e.c.Nodes[0].Endpoint
	const key = "redirect/a b.txt"
	etag := func(f postFormSpec) string { return url.QueryEscape(`"` + md5Hex(f.file) + `"`) }
	for _, field := range []string{"success_action_redirect", "redirect"} {
		t.Run(field, func(t *testing.T) {
			target := "https://app.example.test/done?from=form"
			f := policyForm(t, e, []any{eq("key", key), eq(field, target)}, "key", key, field, target)
			resp := sendPostForm(t, endpoint+"/bucket", f)
			wantPosted(t, e, resp, http.StatusSeeOther, "bucket", key, f.file)
			want := target + "&bucket=bucket&key=redirect%2Fa+b.txt&etag=" + etag(f)
			if got := resp.Header.Get("Location"); got != want {
				t.Errorf("Location %q, want %q", got, want)
			}
		})
	}
	t.Run("both fields", func(t *testing.T) {
		f := policyForm(t, e, []any{eq("key", key), eq("success_action_redirect", "http://first.test/"), eq("redirect", "http://second.test/")},
			"key", key, "success_action_redirect", "http://first.test/", "redirect", "http://second.test/")
		resp := sendPostForm(t, endpoint+"/bucket", f)
		wantPosted(t, e, resp, http.StatusSeeOther, "bucket", key, f.file)
		if got := resp.Header.Get("Location"); !strings.HasPrefix(got, "http://first.test/?bucket=bucket&") {
			t.Errorf("Location %q: success_action_redirect should win", got)
		}
	})
	for _, bad := range []string{"not a url", "/relative/path", "ftp://files.example.test/", "https://"} {
		t.Run("ignored "+bad, func(t *testing.T) {
			f := policyForm(t, e, []any{eq("key", key), eq("success_action_redirect", bad), eq("success_action_status", "201")},
				"key", key, "success_action_redirect", bad, "success_action_status", "201")
			resp := sendPostForm(t, endpoint+"/bucket", f)
			wantPosted(t, e, resp, http.StatusCreated, "bucket", key, f.file)
			if got := resp.Header.Get("Location"); !strings.HasSuffix(got, "/bucket/redirect%2Fa%20b.txt") {
				t.Errorf("Location %q is not the object's", got)
			}
		})
	}
}

// testPostExtraFields: every field must be covered by a condition, the
// checksum and encryption fields too; x-ignore-* fields are exempt.
func testPostExtraFields(t *testing.T, e *env) {
	endpoint := e.c.Nodes[1].Endpoint
	file := []byte("posted by a form\n")
	crc := checksumOf(types.ChecksumAlgorithmCrc32, file)
	for _, tc := range []struct{ name, value string }{
		{"x-amz-checksum-crc32", crc},
		{"x-amz-checksum-algorithm", "CRC32"},
		{"x-amz-server-side-encryption", "AES256"},
		{"x-amz-meta-note", "hello"},
		{"Content-Type", "text/plain"},
		{"success_action_status", "201"},
		{"bucket", "bucket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := "extra/" + tc.name
			f := policyForm(t, e, []any{eq("key", key)}, "key", key, tc.name, tc.value)
			resp := sendPostForm(t, endpoint+"/bucket", f)
			if tc.name == "bucket" { // the one field the URL's bucket covers
				wantPosted(t, e, resp, http.StatusNoContent, "bucket", key, file)
				return
			}
			body := readAll(t, resp.Body)
			if resp.StatusCode != http.StatusForbidden || !bytes.Contains(body, []byte("Extra input fields: "+strings.ToLower(tc.name))) {
				t.Errorf("uncovered %s: %d %s", tc.name, resp.StatusCode, body)
			}
			wantAbsent(t, e, key)
			// Covered, it passes.
			f = policyForm(t, e, []any{eq("key", key), eq(tc.name, tc.value)}, "key", key, tc.name, tc.value)
			status := http.StatusNoContent
			if tc.name == "success_action_status" {
				status = http.StatusCreated
			}
			wantPosted(t, e, sendPostForm(t, endpoint+"/bucket", f), status, "bucket", key, file)
		})
	}
	t.Run("x-ignore-", func(t *testing.T) {
		f := policyForm(t, e, []any{eq("key", "extra/ignored")}, "key", "extra/ignored", "x-ignore-submit", "Upload")
		wantPosted(t, e, sendPostForm(t, endpoint+"/bucket", f), http.StatusNoContent, "bucket", "extra/ignored", file)
	})
	t.Run("condition failed", func(t *testing.T) {
		f := policyForm(t, e, []any{eq("key", "extra/cond"), eq("x-amz-checksum-crc32", crc)}, "key", "extra/cond", "x-amz-checksum-crc32", "AAAAAA==")
		wantHTTPError(t, sendPostForm(t, endpoint+"/bucket", f), "AccessDenied", http.StatusForbidden)
		wantAbsent(t, e, "extra/cond")
	})
}

// testPostChecksums: a checksum field is checked against the file and
// stored; x-amz-checksum-algorithm alone chooses the stored checksum.
func testPostChecksums(t *testing.T, e *env) {
	endpoint := e.c.Nodes[2].Endpoint
	ctx := testCtx(t)
	file := []byte("posted by a form\n")
	head := func(t *testing.T, key string) *s3.HeadObjectOutput {
		t.Helper()
		h, err := e.s3(t, 0).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		must(t, err, "head")
		return h
	}
	form := func(key string, fields ...string) postFormSpec {
		conds := []any{eq("key", key)}
		for i := 0; i+1 < len(fields); i += 2 {
			conds = append(conds, eq(fields[i], fields[i+1]))
		}
		return policyForm(t, e, conds, append([]string{"key", key}, fields...)...)
	}
	t.Run("crc32 right", func(t *testing.T) {
		sum := checksumOf(types.ChecksumAlgorithmCrc32, file)
		wantPosted(t, e, sendPostForm(t, endpoint+"/bucket", form("sum/crc32", "x-amz-checksum-crc32", sum)), 204, "bucket", "sum/crc32", file)
		if got := aws.ToString(head(t, "sum/crc32").ChecksumCRC32); got != sum {
			t.Errorf("stored CRC32 %q, want %q", got, sum)
		}
	})
	t.Run("crc32c wrong", func(t *testing.T) {
		wrong := checksumOf(types.ChecksumAlgorithmCrc32c, []byte("something else"))
		wantHTTPError(t, sendPostForm(t, endpoint+"/bucket", form("sum/wrong", "x-amz-checksum-crc32c", wrong)), "BadDigest", 400)
		wantAbsent(t, e, "sum/wrong")
	})
	t.Run("algorithm alone", func(t *testing.T) {
		wantPosted(t, e, sendPostForm(t, endpoint+"/bucket", form("sum/algo", "x-amz-checksum-algorithm", "CRC32C")), 204, "bucket", "sum/algo", file)
		if got, want := aws.ToString(head(t, "sum/algo").ChecksumCRC32C), checksumOf(types.ChecksumAlgorithmCrc32c, file); got != want {
			t.Errorf("stored CRC32C %q, want %q", got, want)
		}
	})
	t.Run("algorithm and value agree", func(t *testing.T) {
		sum := checksumOf(types.ChecksumAlgorithmSha1, file)
		f := form("sum/sha1", "x-amz-checksum-algorithm", "SHA1", "x-amz-checksum-sha1", sum)
		wantPosted(t, e, sendPostForm(t, endpoint+"/bucket", f), 204, "bucket", "sum/sha1", file)
		if got := aws.ToString(head(t, "sum/sha1").ChecksumSHA1); got != sum {
			t.Errorf("stored SHA1 %q, want %q", got, sum)
		}
	})
	for name, fields := range map[string][]string{
		"algorithm and value disagree": {"x-amz-checksum-algorithm", "SHA256", "x-amz-checksum-crc32", checksumOf(types.ChecksumAlgorithmCrc32, file)},
		"unknown algorithm":            {"x-amz-checksum-algorithm", "MD4"},
		"malformed value":              {"x-amz-checksum-crc32", "not base64"},
	} {
		t.Run(name, func(t *testing.T) {
			key := "sum/" + strings.ReplaceAll(name, " ", "-")
			wantHTTPError(t, sendPostForm(t, endpoint+"/bucket", form(key, fields...)), "InvalidRequest", 400)
			wantAbsent(t, e, key)
		})
	}
}

// testPostEncryption: an SSE field, covered by the policy, encrypts the
// object as its header would.
func testPostEncryption(t *testing.T, e *env) {
	const key = "sse/posted"
	f := policyForm(t, e, []any{eq("key", key), eq("x-amz-server-side-encryption", "AES256")}, "key", key, "x-amz-server-side-encryption", "AES256")
	resp := sendPostForm(t, e.c.Nodes[0].Endpoint+"/bucket", f)
	wantPosted(t, e, resp, http.StatusNoContent, "bucket", key, f.file)
	if got := resp.Header.Get("x-amz-server-side-encryption"); got != "AES256" {
		t.Errorf("POST answered x-amz-server-side-encryption %q", got)
	}
	h, err := e.s3(t, 1).HeadObject(testCtx(t), &s3.HeadObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)})
	must(t, err, "head")
	if h.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Errorf("stored encryption %q", h.ServerSideEncryption)
	}
}

// testPostFileName: ${filename} is the file's name without its path; a
// text area (no filename) uploads too, ${filename} standing for nothing;
// a file input left empty (filename="") is no file, and is refused.
func testPostFileName(t *testing.T, e *env) {
	endpoint := e.c.Nodes[1].Endpoint
	form := func(key string) postFormSpec {
		return policyForm(t, e, []any{[]any{"starts-with", "$key", "names/"}}, "key", key)
	}
	t.Run("path stripped", func(t *testing.T) {
		for _, name := range []string{`C:\Users\me\report.pdf`, "dir/sub/report.pdf", "report.pdf"} {
			f := form("names/${filename}")
			f.filename = name
			wantPosted(t, e, sendPostForm(t, endpoint+"/bucket", f), 204, "bucket", "names/report.pdf", f.file)
		}
	})
	t.Run("text area", func(t *testing.T) {
		f := form("names/area${filename}.txt")
		f.noFilename = true
		wantPosted(t, e, sendPostForm(t, endpoint+"/bucket", f), 204, "bucket", "names/area.txt", f.file)
	})
	t.Run("empty file name", func(t *testing.T) {
		for _, key := range []string{"names/empty", "names/${filename}"} {
			f := form(key)
			f.filename = ""
			wantHTTPError(t, sendPostForm(t, endpoint+"/bucket", f), "InvalidArgument", 400)
		}
		wantAbsent(t, e, "names/empty")
		wantAbsent(t, e, "names/")
	})
	t.Run("key empty once expanded", func(t *testing.T) {
		f := policyForm(t, e, []any{[]any{"starts-with", "$key", ""}}, "key", "${filename}")
		f.noFilename = true
		wantHTTPError(t, sendPostForm(t, endpoint+"/bucket", f), "InvalidArgument", 400)
	})
}

// testPostBoto3: boto3's generate_presigned_post, asking for the 201
// document, with a key under a folder, through its path-style URL.
func testPostBoto3(t *testing.T, e *env) {
	endpoint := e.c.Nodes[2].Endpoint
	out := runBoto3(t, endpoint, e.c.KeyID, e.c.Secret, `
post = s3.generate_presigned_post("bucket", "boto/${filename}", Fields={"success_action_status": "201"},
    Conditions=[{"success_action_status": "201"}, ["starts-with", "$key", "boto/"]], ExpiresIn=600)
print(json.dumps(post))
`)
	var post struct {
		URL    string            `json:"url"`
		Fields map[string]string `json:"fields"`
	}
	must(t, jsonUnmarshal(out, &post), "boto3's form")
	file := []byte("posted through boto3's form")
	resp := postForm(t, post.URL, post.Fields, "my report.txt", file)
	body := wantPosted(t, e, resp, http.StatusCreated, "bucket", "boto/my report.txt", file)
	var pr postResponse
	must(t, xml.Unmarshal(body, &pr), "PostResponse")
	u, err := url.Parse(endpoint)
	must(t, err, "endpoint")
	if want := "http://" + u.Host + "/bucket/boto%2Fmy%20report.txt"; pr.Location != want || resp.Header.Get("Location") != want {
		t.Errorf("Location %q (header %q), want %q", pr.Location, resp.Header.Get("Location"), want)
	}
	// The policy boto3 signed is held to: another key prefix is refused.
	fields := map[string]string{}
	for k, v := range post.Fields {
		fields[k] = v
	}
	fields["key"] = "elsewhere/${filename}"
	wantHTTPError(t, postForm(t, post.URL, fields, "x.txt", file), "AccessDenied", http.StatusForbidden)
}
