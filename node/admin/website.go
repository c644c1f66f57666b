package admin

import (
	"fmt"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/s3/bucketcfg"
	"github.com/garagego/garage/node/wire"
)

// Website access, as `garage bucket website` manages it: a bucket is
// served by the website endpoint exactly when it has a website
// configuration (model.ConfigWebsite), the one S3's PutBucketWebsite
// stores.
type (
	// SetBucketWebsite turns website access on for a bucket (a name, id
	// or id prefix), with its index document (index.html if empty) and
	// error document (none if empty), replacing any configuration it had,
	// or off, removing its configuration. Answers WebsiteInfo.
	SetBucketWebsite struct {
		Bucket        string
		Allow         bool
		IndexDocument string
		ErrorDocument string
	}
	// GetBucketWebsite reads a bucket's website access. Answers
	// WebsiteInfo.
	GetBucketWebsite struct {
		Bucket string
	}
)

func (SetBucketWebsite) OpName() string { return "SetBucketWebsite" }
func (GetBucketWebsite) OpName() string { return "GetBucketWebsite" }

// DefaultIndexDocument is the index document website access gets when
// none is named, as in Garage.
const DefaultIndexDocument = "index.html"

// WebsiteInfo is a bucket's website access.
type WebsiteInfo struct {
	Bucket        string `json:"bucket"` // the bucket's id
	Enabled       bool   `json:"enabled"`
	IndexDocument string `json:"indexDocument,omitempty"`
	ErrorDocument string `json:"errorDocument,omitempty"`
	// RedirectAllTo is RedirectAllRequestsTo's host, if set (by S3).
	RedirectAllTo string `json:"redirectAllTo,omitempty"`
	RoutingRules  int    `json:"routingRules,omitempty"` // how many (set by S3)
}

// submitWebsite starts a website operation.
func (s *Service) submitWebsite(now cluster.Time, op any, done Done) {
	switch op := op.(type) {
	case SetBucketWebsite:
		s.setBucketWebsite(now, op, done)
	case GetBucketWebsite:
		s.resolveBucket(now, op.Bucket, done, func(now cluster.Time, b model.Bucket) { done(now, websiteInfo(b), nil) })
	}
}

func (s *Service) setBucketWebsite(now cluster.Time, op SetBucketWebsite, done Done) {
	var value []byte
	if op.Allow {
		w := bucketcfg.Website{IndexDocument: op.IndexDocument, ErrorDocument: op.ErrorDocument}
		if w.IndexDocument == "" {
			w.IndexDocument = DefaultIndexDocument
		}
		// The same checks as PutBucketWebsite's: decoding validates.
		e := wire.NewEncoder(nil)
		w.Encode(e)
		value = e.Bytes()
		d := wire.NewDecoder(value)
		bucketcfg.DecodeWebsite(d)
		if err := d.Finish(); err != nil {
			done(now, nil, fmt.Errorf("%w: %v", ErrInvalid, err))
			return
		}
	}
	s.resolveBucket(now, op.Bucket, done, func(now cluster.Time, b model.Bucket) {
		s.setBucketConfig(now, SetBucketConfig{Bucket: b.ID, Name: model.ConfigWebsite, Value: value}, func(now cluster.Time, res any, err error) {
			if err != nil {
				done(now, nil, err)
				return
			}
			done(now, websiteInfo(res.(model.Bucket)), nil)
		})
	})
}

// websiteInfo describes b's website access.
func websiteInfo(b model.Bucket) WebsiteInfo {
	info := WebsiteInfo{Bucket: b.ID.String()}
	data, ok := b.Config(model.ConfigWebsite)
	if !ok {
		return info
	}
	d := wire.NewDecoder(data)
	w := bucketcfg.DecodeWebsite(d)
	if d.Finish() != nil {
		return info
	}
	info.Enabled = true
	info.IndexDocument, info.ErrorDocument, info.RoutingRules = w.IndexDocument, w.ErrorDocument, len(w.RoutingRules)
	if w.RedirectAllRequestsTo != nil {
		info.RedirectAllTo = w.RedirectAllRequestsTo.HostName
	}
	return info
}
