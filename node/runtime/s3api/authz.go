package s3api

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/runtime/httpapi"
	"github.com/garagego/garage/node/runtime/server"
	"github.com/garagego/garage/node/s3/acl"
	"github.com/garagego/garage/node/s3/policy"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/wire"
)

// Authorization: one decision per request (per object for DeleteObjects),
// combining in S3's order what may grant or refuse it:
//
//  1. an explicit Deny of the bucket policy refuses, whatever else grants;
//  2. the key's rights on the bucket (garage bucket allow) grant what they
//     grant today;
//  3. an Allow of the policy grants, unless PublicAccessBlock's
//     RestrictPublicBuckets is on and the policy is public: then it grants
//     only to keys with some right on the bucket;
//  4. an ACL grant grants (the bucket's ACL for bucket actions and object
//     creation and deletion, the object's for reading it and its ACL; an
//     object's owner has full control of it), unless the bucket's ownership
//     is BucketOwnerEnforced (ACLs count for nothing) or, for grants to the
//     public groups, IgnorePublicAcls is on;
//  5. anything else is refused.
//
// An anonymous request has no key, so only 3 and 4 can grant it, and only
// through grants to everyone.

// objectACLHeader keeps an object's ACL with it (acl's encoding, base64),
// when it grants more than its owner's full control or its owner is not
// the bucket's.
const objectACLHeader = internalPrefix + "acl"

// access is what a bucket's configuration says of who may do what.
type access struct {
	bucket    model.Bucket
	names     []string // the bucket's global aliases
	ownership acl.Ownership
	pab       acl.PublicAccessBlock
	acl       acl.ACL
	policy    *policy.Policy // nil without one
}

// ownershipOf is the bucket's object ownership. A bucket that never had
// any (one made with the CLI) is BucketOwnerEnforced, as new S3 buckets
// are: ACLs are off until an owner turns them on, so that no key with a
// mere write right can publish objects. Deleted ownership controls are
// NoOwnershipControls, which behaves as ObjectWriter, as in S3.
func ownershipOf(b model.Bucket) (acl.Ownership, error) {
	data, ok := b.Config(model.ConfigOwnership)
	if !ok {
		return acl.BucketOwnerEnforced, nil
	}
	d := wire.NewDecoder(data)
	o := acl.DecodeOwnership(d)
	return o, d.Finish()
}

// loadAccess decodes a bucket's access controls. A stored configuration
// that does not decode fails the request (500): guessing could open it.
func (a *API) loadAccess(b model.Bucket) (*access, error) {
	ac := &access{bucket: b, names: b.Aliases()}
	var err error
	if ac.ownership, err = ownershipOf(b); err != nil {
		return nil, fmt.Errorf("bucket %s: stored ownership controls: %w", b.ID, err)
	}
	if data, ok := b.Config(model.ConfigPublicAccessBlock); ok {
		d := wire.NewDecoder(data)
		ac.pab = acl.DecodePublicAccessBlock(d)
		if err := d.Finish(); err != nil {
			return nil, fmt.Errorf("bucket %s: stored public access block: %w", b.ID, err)
		}
	}
	if data, ok := b.Config(model.ConfigACL); ok {
		d := wire.NewDecoder(data)
		ac.acl = acl.DecodeACL(d)
		if err := d.Finish(); err != nil {
			return nil, fmt.Errorf("bucket %s: stored ACL: %w", b.ID, err)
		}
	}
	if data, ok := b.Config(model.ConfigPolicy); ok {
		if ac.policy, err = a.policies.parse(data); err != nil {
			return nil, fmt.Errorf("bucket %s: stored policy: %w", b.ID, err)
		}
	}
	return ac, nil
}

// owners lists the keys with the owner right on the bucket, sorted: S3's
// bucket owner. The first names the owner in ACL documents.
func (ac *access) owners() []string {
	var out []string
	for _, k := range ac.bucket.AuthorizedKeys() {
		if ac.bucket.KeyPerms(k).Owner {
			out = append(out, k)
		}
	}
	return out
}

// firstOwner is the key named as the bucket owner ("" if none).
func (ac *access) firstOwner() string {
	if o := ac.owners(); len(o) > 0 {
		return o[0]
	}
	return ""
}

// policyCache keeps parsed policies by their text: parsing a 20-statement
// policy costs hundreds of microseconds, evaluating it a few.
type policyCache struct {
	mu     sync.Mutex
	parsed map[string]*policy.Policy
}

// maxCachedPolicies bounds the cache; past it, it starts over.
const maxCachedPolicies = 256

func (c *policyCache) parse(data []byte) (*policy.Policy, error) {
	c.mu.Lock()
	p, ok := c.parsed[string(data)]
	c.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := policy.Parse(data)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.parsed == nil || len(c.parsed) >= maxCachedPolicies {
		c.parsed = map[string]*policy.Policy{}
	}
	c.parsed[string(data)] = p
	c.mu.Unlock()
	return p, nil
}

// resourceARN is the ARN policies name the bucket or one of its objects by.
func resourceARN(bucket, key string) string {
	if key == "" {
		return "arn:aws:s3:::" + bucket
	}
	return "arn:aws:s3:::" + bucket + "/" + key
}

// principal is the key id of a signed request, "" for an anonymous one.
func (rq *request) principal() string { return rq.accessKey.ID }

// check is one authorization question: may this request do action on
// this resource of ac's bucket?
type check struct {
	ac     *access
	bucket string // the name the request used
	key    string // "" for the bucket itself
	action string
	need   need // the key right that grants it
	// version is the version of key addressed (none: the current one),
	// whose tags s3:ExistingObjectTag reads.
	version model.VersionRef
	// objectACL reads the object's ACL when an object ACL could decide
	// (nil: the action is not governed by one here).
	objectACL func() (acl.ACL, bool, error)
}

// policyBypass are the actions a bucket owner may always do, even when
// the policy denies them, so that a policy cannot lock its owners out
// (S3 lets the account's root user do the same).
var policyBypass = []string{"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"}

// authorize decides c for rq: nil, or AccessDenied. The key and bucket
// may have come from this node's own copy of them, which can lag a grant
// by up to the tables' LocalReadMaxAge (admin.GetAccessKey): before it
// refuses, it reads both again with a quorum and decides once more, so a
// right granted on any node holds for the very next request.
func (rq *request) authorize(c check) error {
	err := rq.decide(c)
	if e, ok := s3err.As(err); !ok || e.Code != s3err.AccessDenied || rq.quorumRead {
		return err
	}
	if err := rq.rereadAccess(c.ac, c.bucket); err != nil {
		return err
	}
	return rq.decide(c)
}

// rereadAccess reads the request's key and the bucket ac describes (by
// the name the request used) with a quorum, in place.
func (rq *request) rereadAccess(ac *access, name string) error {
	rq.quorumRead = true
	key, b, err := httpapi.RereadAccess(rq.ctx, rq.api.backend, rq.principal(), name)
	if err != nil {
		return err
	}
	fresh, err := rq.api.loadAccess(b)
	if err != nil {
		return err
	}
	rq.accessKey = key
	same := ac == rq.access
	*ac = *fresh
	if same {
		rq.bucket = ac.bucket
		rq.perms = key.BucketPerms(ac.bucket.ID)
	}
	return nil
}

// decide is authorize's one decision on what the request holds now.
func (rq *request) decide(c check) error {
	perms := rq.accessKey.BucketPerms(c.ac.bucket.ID)
	who := rq.principal()
	denied := func(why string) error {
		if who == "" {
			return s3err.New(s3err.AccessDenied, "Access Denied: anonymous %s on %s %s.", c.action, c.bucket, why)
		}
		return s3err.New(s3err.AccessDenied, "Access Denied: key %s may not %s on %s %s.", who, c.action, resourceARN(c.bucket, c.key), why)
	}
	if c.action == "" {
		// An endpoint without an action: only the key's rights can grant it.
		if who != "" && c.need.grantedBy(perms) {
			return nil
		}
		return denied("(only the key's rights on the bucket grant it)")
	}
	verdict := policy.NoMatch
	if c.ac.policy != nil {
		ctx, err := rq.policyContext(c)
		if err != nil {
			return err
		}
		verdict = c.ac.policy.Evaluate(policy.Request{Principal: who, Action: c.action, Resource: resourceARN(c.bucket, c.key), Context: ctx})
	}
	if verdict == policy.Denied && !(perms.Owner && slices.Contains(policyBypass, c.action)) {
		return denied("(an explicit Deny in the bucket policy)")
	}
	if who != "" && c.need != needNothing && c.need.grantedBy(perms) {
		return nil
	}
	restricted := false
	if verdict == policy.Allowed {
		if !(c.ac.pab.RestrictPublicBuckets && c.ac.policy.IsPublic()) || (who != "" && perms.Any()) {
			return nil
		}
		restricted = true // an ACL may still grant it
	}
	if c.ac.ownership.ACLsEnabled() {
		ignorePublic := c.ac.pab.IgnorePublicAcls
		if acl.GovernedByBucketACL(c.action) {
			for _, p := range c.ac.acl.Permissions(who, ignorePublic) {
				if acl.BucketAllows(p, c.action) {
					return nil
				}
			}
		}
		if c.objectACL != nil && acl.GovernedByObjectACL(c.action) {
			objACL, found, err := c.objectACL()
			if err != nil {
				return err
			}
			if found {
				if who != "" && objACL.Owner == who {
					return nil // an object's owner has full control of it
				}
				for _, p := range objACL.Permissions(who, ignorePublic) {
					if acl.ObjectAllows(p, c.action) {
						return nil
					}
				}
			}
		}
	}
	if restricted {
		return denied("(the bucket policy is public and RestrictPublicBuckets limits it to keys with rights on the bucket)")
	}
	if who == "" {
		return denied("(no policy or ACL grants it to everyone)")
	}
	return denied(fmt.Sprintf("(it lacks the %s right on the bucket and no policy or ACL grants it)", c.need))
}

// objectACLReader reads the ACL of bucket/key once, for authorize.
func (rq *request) objectACLReader(bucket model.BucketID, key string) func() (acl.ACL, bool, error) {
	return func() (acl.ACL, bool, error) {
		obj, err := rq.api.backend.HeadObject(rq.ctx, bucket, key)
		if errors.Is(err, server.ErrNoSuchObject) {
			return acl.ACL{}, false, nil
		}
		if err != nil {
			return acl.ACL{}, false, err
		}
		a, err := storedObjectACL(obj)
		return a, err == nil, err
	}
}

// objectACLAttr is the version attribute that holds an object's ACL once
// PutObjectAcl changed it (objectACLValue's form; empty: the default). It
// overrides the header the object was written with.
const objectACLAttr = "acl"

// storedObjectACL decodes the ACL kept with an object (none: the bucket
// owner's, granting nothing more).
func storedObjectACL(obj object.Object) (acl.ACL, error) {
	v, _ := model.Setting(obj.Meta.Headers, obj.Attrs, objectACLAttr, objectACLHeader)
	if v == "" {
		return acl.ACL{}, nil
	}
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return acl.ACL{}, fmt.Errorf("object %s: stored ACL: %w", obj.Meta.ETag, err)
	}
	d := wire.NewDecoder(raw)
	a := acl.DecodeACL(d)
	if err := d.Finish(); err != nil {
		return acl.ACL{}, fmt.Errorf("object stored ACL: %w", err)
	}
	return a, nil
}

// objectACLValue is the header value that keeps a, or "" when a is the
// default (the bucket owner's, no grants), which is stored as no header.
func objectACLValue(a acl.ACL) string {
	if a.Owner == "" && len(a.Grants) == 0 {
		return ""
	}
	e := wire.NewEncoder(nil)
	a.Encode(e)
	return base64.StdEncoding.EncodeToString(e.Bytes())
}

// withObjectACL returns headers with the object ACL a in place of any
// stored one.
func withObjectACL(headers []model.Header, a acl.ACL) []model.Header {
	out := slices.DeleteFunc(slices.Clone(headers), func(h model.Header) bool { return h.Name == objectACLHeader })
	if v := objectACLValue(a); v != "" {
		out = withHeader(out, model.Header{Name: objectACLHeader, Value: v})
	}
	return out
}

// conditionContext is what the policy's condition keys read of the
// request.
func (rq *request) conditionContext() map[string][]string {
	if rq.condCtx != nil {
		return rq.condCtx
	}
	ctx := map[string][]string{}
	ip, secure := rq.api.clientOrigin(rq)
	if ip.IsValid() {
		ctx["aws:sourceip"] = []string{ip.String()}
	}
	ctx["aws:securetransport"] = []string{fmt.Sprint(secure)}
	if v := rq.r.Header.Get("Referer"); v != "" {
		ctx["aws:referer"] = []string{v}
	}
	if v := rq.r.Header.Get("User-Agent"); v != "" {
		ctx["aws:useragent"] = []string{v}
	}
	if v := rq.r.Header.Get("x-amz-acl"); v != "" {
		ctx["s3:x-amz-acl"] = []string{v}
	}
	if rq.key == "" && rq.r.Method == "GET" {
		for param, key := range map[string]string{"prefix": "s3:prefix", "delimiter": "s3:delimiter", "max-keys": "s3:max-keys"} {
			if rq.query.Has(param) {
				ctx[key] = []string{rq.query.Get(param)}
			}
		}
	}
	rq.condCtx = ctx
	return ctx
}

// clientOrigin is the client's address and whether it reached the store
// over TLS: from the connection, or, when the connection comes from one
// of the TrustedProxies, from the X-Forwarded-For (its last address) and
// X-Forwarded-Proto headers that proxy set.
func (a *API) clientOrigin(rq *request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(rq.r.RemoteAddr)
	if err != nil {
		host = rq.r.RemoteAddr
	}
	peer, _ := netip.ParseAddr(host)
	peer = peer.Unmap()
	secure := rq.r.TLS != nil
	if !peer.IsValid() || !slices.ContainsFunc(a.cfg.TrustedProxies, func(p netip.Prefix) bool { return p.Contains(peer) }) {
		return peer, secure
	}
	if fwd := rq.r.Header.Values("X-Forwarded-For"); len(fwd) > 0 {
		list := strings.Split(fwd[len(fwd)-1], ",")
		if ip, err := netip.ParseAddr(strings.TrimSpace(list[len(list)-1])); err == nil {
			peer = ip.Unmap()
		}
	}
	if proto := rq.r.Header.Get("X-Forwarded-Proto"); proto != "" {
		secure = strings.EqualFold(strings.TrimSpace(proto), "https")
	}
	return peer, secure
}
