package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
)

// BucketSetQuotasCmd sets a bucket's quotas, as Garage's
// `garage bucket set-quotas` does: a flag not given keeps that quota,
// "none" removes it.
type BucketSetQuotasCmd struct {
	Bucket     string  `arg:"" help:"Bucket name or id."`
	MaxSize    *string `name:"max-size" help:"Largest total size of the bucket's objects, with a unit (10GiB, 500MB...), or none."`
	MaxObjects *string `name:"max-objects" help:"Most objects the bucket may hold, or none."`
}

func (c *BucketSetQuotasCmd) Run(g *Globals, out io.Writer) error {
	if c.MaxSize == nil && c.MaxObjects == nil {
		return errors.New("You must specify either --max-size or --max-objects (or both) for this command to do something.")
	}
	return g.withAdmin(func(a *adminClient) error {
		var b admin.BucketInfo
		if err := a.call(admin.GetBucket{Name: c.Bucket}, &b); err != nil {
			return err
		}
		var q model.Quotas
		if b.Quotas != nil {
			q = *b.Quotas
		}
		var err error
		if q.MaxSize, err = quotaValue(c.MaxSize, q.MaxSize, "Invalid size specified", model.ParseSize); err != nil {
			return err
		}
		if q.MaxObjects, err = quotaValue(c.MaxObjects, q.MaxObjects, "Invalid number", func(s string) (uint64, error) { return strconv.ParseUint(s, 10, 64) }); err != nil {
			return err
		}
		if err := a.call(admin.SetBucketQuotas{Name: b.ID, MaxSize: q.MaxSize, MaxObjects: q.MaxObjects}, &b); err != nil {
			return err
		}
		fmt.Fprintf(out, "Quotas of bucket %s: %s.\n", c.Bucket, describeQuotas(b.Quotas))
		return nil
	})
}

// quotaValue is a flag's new quota: the current one if not given, none
// for "none", else parsed.
func quotaValue(flag *string, current *uint64, invalid string, parse func(string) (uint64, error)) (*uint64, error) {
	switch {
	case flag == nil:
		return current, nil
	case *flag == "none":
		return nil, nil
	}
	v, err := parse(*flag)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", invalid, *flag)
	}
	return &v, nil
}

// describeQuotas sums quotas up on one line.
func describeQuotas(q *model.Quotas) string {
	if q == nil || !q.Any() {
		return "none"
	}
	size, objects := "no size limit", "no object limit"
	if q.MaxSize != nil {
		size = "maximum size " + sizeBoth(*q.MaxSize)
	}
	if q.MaxObjects != nil {
		objects = fmt.Sprintf("maximum %d objects", *q.MaxObjects)
	}
	return size + ", " + objects
}

// sizeBoth shows a size as Garage's CLI does: binary units, then decimal.
func sizeBoth(n uint64) string {
	return fmt.Sprintf("%s (%s)", model.FormatSize(n, true), model.FormatSize(n, false))
}

// printUsageAndQuotas writes `bucket info`'s lines on what the bucket
// holds (from its counters) against its quotas.
func printUsageAndQuotas(out io.Writer, u *model.Usage, q *model.Quotas) {
	if u == nil {
		return
	}
	fmt.Fprintf(out, "Size:          %s\n", sizeBoth(u.Bytes))
	fmt.Fprintf(out, "Objects:       %d (%d versions; %d delete markers)\n", u.Objects, u.Versions, u.DeleteMarkers)
	if u.UnfinishedUploads > 0 {
		fmt.Fprintf(out, "Unfinished:    %d multipart uploads\n", u.UnfinishedUploads)
	}
	if q == nil || !q.Any() {
		return
	}
	fmt.Fprintf(out, "Quotas:        enabled\n")
	if q.MaxSize != nil {
		fmt.Fprintf(out, "  max size:    %s (%s used)\n", sizeBoth(*q.MaxSize), percent(u.Bytes, *q.MaxSize))
	}
	if q.MaxObjects != nil {
		fmt.Fprintf(out, "  max objects: %d (%s used)\n", *q.MaxObjects, percent(u.Objects, *q.MaxObjects))
	}
}

func percent(used, limit uint64) string {
	if limit == 0 {
		return "100%"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(used)/float64(limit))
}
