package s3api_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/garagego/garage/internal/localcluster"
)

// requireBoto3Env makes a missing python3 or boto3 a failure rather than a
// skip; CI sets it, after installing them. pythonEnv names the Python to
// run (default: python3 on PATH).
const (
	requireBoto3Env = "GARAGE_REQUIRE_BOTO3"
	pythonEnv       = "GARAGE_TEST_PYTHON"
)

// boto3Prelude gives every script a client maker and a ready client. The
// environment is the test's own: nothing of the machine's AWS_* settings
// reaches boto3.
const boto3Prelude = `
import json, os, sys
import boto3, botocore
from botocore.config import Config

endpoint = os.environ["GARAGE_TEST_ENDPOINT"]
key_id = os.environ["GARAGE_TEST_KEY_ID"]
secret = os.environ["GARAGE_TEST_SECRET"]
region = os.environ["GARAGE_TEST_REGION"]

def client(signature_version="s3v4", key_id=key_id, secret=secret, **config):
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name=region,
        aws_access_key_id=key_id, aws_secret_access_key=secret,
        config=Config(signature_version=signature_version, s3={"addressing_style": "path"},
                      retries={"max_attempts": 1, "mode": "standard"}, **config))

def error_code(f):
    """Runs f and returns the S3 error code it failed with, or None."""
    try:
        f()
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
    return None

s3 = client()
`

// boto3 runs a Python script against node i of e, after boto3Prelude, and
// returns what it printed; the script failing fails the test. Without
// python3 and boto3 the test is skipped, unless requireBoto3Env is set.
func (e *env) boto3(t *testing.T, i int, script string) string {
	t.Helper()
	return runBoto3(t, e.c.Nodes[i].Endpoint, e.c.KeyID, e.c.Secret, script)
}

func runBoto3(t *testing.T, endpoint, keyID, secret, script string) string {
	t.Helper()
	python, err := os.Getenv(pythonEnv), error(nil)
	if python == "" {
		python, err = exec.LookPath("python3")
	}
	if err == nil {
		err = exec.Command(python, "-c", "import boto3").Run()
	}
	if err != nil {
		if os.Getenv(requireBoto3Env) != "" {
			t.Fatalf("python3 with boto3 is required (%s is set): %v", requireBoto3Env, err)
		}
		t.Skipf("python3 with boto3 not available: %v", err)
	}
	ctx, cancel := context.WithTimeout(testCtx(t), e2eTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", boto3Prelude+script)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "PYTHONDONTWRITEBYTECODE=1",
		"GARAGE_TEST_ENDPOINT=" + endpoint, "GARAGE_TEST_KEY_ID=" + keyID, "GARAGE_TEST_SECRET=" + secret,
		"GARAGE_TEST_REGION=" + localcluster.Region,
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("boto3 script failed: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	return strings.TrimSpace(out.String())
}

// TestE2EBoto3Basics: boto3, as a Python application uses it, writes,
// reads, lists and deletes an object.
func TestE2EBoto3Basics(t *testing.T) {
	e := startEnv(t, 3)
	e.createBucket(t, "boto")
	got := e.boto3(t, 1, `
s3.put_object(Bucket="boto", Key="a/b.txt", Body=b"hello from boto3")
body = s3.get_object(Bucket="boto", Key="a/b.txt")["Body"].read()
keys = [o["Key"] for o in s3.list_objects_v2(Bucket="boto", Prefix="a/")["Contents"]]
s3.delete_object(Bucket="boto", Key="a/b.txt")
missing = error_code(lambda: s3.head_object(Bucket="boto", Key="a/b.txt"))
print(json.dumps({"body": body.decode(), "keys": keys, "missing": missing}))
`)
	want := `{"body": "hello from boto3", "keys": ["a/b.txt"], "missing": "404"}`
	if got != want {
		t.Fatalf("boto3 saw %s, want %s", got, want)
	}
}

// testBoto3Checksums: boto3 with explicit checksum algorithms (its values
// checked against Python's own zlib and hashlib), a full-object and a
// composite multipart upload, DeleteObjects in both modes, and conditional
// writes and deletes.
func testBoto3Checksums(t *testing.T, e *env) {
	got := e.boto3(t, 2, `
import base64, hashlib, zlib
def b64(b): return base64.b64encode(b).decode()
def crc32(d): return b64(zlib.crc32(d).to_bytes(4, "big"))
def sha(name, d): return b64(hashlib.new(name, d).digest())
B = "bucket"
data = os.urandom(300 * 1024)
want = {"CRC32": crc32(data), "SHA1": sha("sha1", data), "SHA256": sha("sha256", data)}
bad = []
for algo, value in want.items():
    out = s3.put_object(Bucket=B, Key="botosum/" + algo, Body=data, ChecksumAlgorithm=algo)
    got = s3.get_object(Bucket=B, Key="botosum/" + algo, ChecksumMode="ENABLED")
    if out.get("Checksum" + algo) != value or got.get("Checksum" + algo) != value or got.get("ChecksumType") != "FULL_OBJECT" or got["Body"].read() != data:
        bad.append(algo)

p1, p2 = os.urandom(5 * 1024 * 1024), os.urandom(4321)
def upload(key, algo, typ):
    mpu = s3.create_multipart_upload(Bucket=B, Key=key, ChecksumAlgorithm=algo, ChecksumType=typ)
    parts = []
    for n, p in ((1, p1), (2, p2)):
        r = s3.upload_part(Bucket=B, Key=key, UploadId=mpu["UploadId"], PartNumber=n, Body=p, ChecksumAlgorithm=algo)
        parts.append({"PartNumber": n, "ETag": r["ETag"], "Checksum" + algo: r["Checksum" + algo]})
    done = s3.complete_multipart_upload(Bucket=B, Key=key, UploadId=mpu["UploadId"], MultipartUpload={"Parts": parts}, ChecksumType=typ)
    return done.get("Checksum" + algo), done.get("ChecksumType")
full = upload("botosum/full", "CRC32", "FULL_OBJECT")
composite = upload("botosum/composite", "SHA256", "COMPOSITE")
want_composite = b64(hashlib.sha256(hashlib.sha256(p1).digest() + hashlib.sha256(p2).digest()).digest()) + "-2"

s3.put_object(Bucket=B, Key="botosum/d1", Body=b"1")
verbose = s3.delete_objects(Bucket=B, Delete={"Objects": [{"Key": "botosum/d1"}, {"Key": "botosum/none"}, {"Key": "botosum/d1"}]})
quiet = s3.delete_objects(Bucket=B, Delete={"Objects": [{"Key": "botosum/none"}], "Quiet": True})

etag = s3.put_object(Bucket=B, Key="botosum/cond", Body=b"x")["ETag"]
cond = [
    error_code(lambda: s3.put_object(Bucket=B, Key="botosum/cond", Body=b"y", IfNoneMatch="*")),
    error_code(lambda: s3.delete_object(Bucket=B, Key="botosum/cond", IfMatch='"ffffffffffffffffffffffffffffffff"')),
    error_code(lambda: s3.delete_object(Bucket=B, Key="botosum/cond", IfMatch=etag)),
    error_code(lambda: s3.head_object(Bucket=B, Key="botosum/cond")),
]
print(json.dumps({
    "bad": bad,
    "full": list(full) == [crc32(p1 + p2), "FULL_OBJECT"],
    "composite": list(composite) == [want_composite, "COMPOSITE"],
    "verbose": sorted(d["Key"] for d in verbose.get("Deleted", [])), "verbose_errors": verbose.get("Errors", []),
    "quiet": quiet.get("Deleted", []), "cond": cond,
}))
`)
	want := `{"bad": [], "full": true, "composite": true, "verbose": ["botosum/d1", "botosum/d1", "botosum/none"], "verbose_errors": [], "quiet": [], "cond": ["PreconditionFailed", "PreconditionFailed", null, "404"]}`
	if got != want {
		t.Fatalf("boto3 saw\n%s\nwant\n%s", got, want)
	}
}
