package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/garagego/garage/node/admin"
)

// BucketCmd groups bucket commands.
type BucketCmd struct {
	Create    BucketCreateCmd    `cmd:"" help:"Create a bucket."`
	List      BucketListCmd      `cmd:"" help:"List buckets."`
	Info      BucketInfoCmd      `cmd:"" help:"Show a bucket and the keys that can use it."`
	Delete    BucketDeleteCmd    `cmd:"" help:"Delete an empty bucket."`
	Allow     BucketAllowCmd     `cmd:"" help:"Give a key rights on a bucket."`
	Deny      BucketDenyCmd      `cmd:"" help:"Take a key's rights on a bucket away."`
	Alias     BucketAliasCmd     `cmd:"" help:"Give a bucket another name (global, or local to one key)."`
	Unalias   BucketUnaliasCmd   `cmd:"" help:"Remove one of a bucket's names."`
	Inspect   BucketInspectCmd   `cmd:"" name:"inspect-object" help:"List every version of one object: state, size, current or not, attributes."`
	Website   BucketWebsiteCmd   `cmd:"" help:"Allow or deny serving a bucket as a website."`
	SetQuotas BucketSetQuotasCmd `cmd:"" name:"set-quotas" help:"Set a bucket's quotas (--max-size, --max-objects; none removes one)."`
	Cleanup   BucketCleanupCmd   `cmd:"" name:"cleanup-incomplete-uploads" help:"Abort the buckets' multipart uploads older than --older-than."`
}

// BucketCleanupCmd aborts old multipart uploads, as S3's
// AbortMultipartUpload does (their parts' data is released).
type BucketCleanupCmd struct {
	OlderThan string   `name:"older-than" default:"1d" help:"Abort uploads created longer ago than this (e.g. 1d, 12h, 30m, 1d12h; a bare number is seconds)."`
	Buckets   []string `arg:"" help:"Bucket names or ids."`
}

func (c *BucketCleanupCmd) Run(g *Globals, out io.Writer) error {
	age, err := parseAge(c.OlderThan)
	if err != nil {
		return fmt.Errorf("--older-than: %w", err)
	}
	return g.withAdmin(func(a *adminClient) error {
		for _, b := range c.Buckets {
			var res admin.UploadsCleaned
			if err := a.call(admin.CleanupIncompleteUploads{Bucket: b, OlderThanSecs: uint64(age / time.Second)}, &res); err != nil {
				return fmt.Errorf("bucket %s: %w", b, err)
			}
			if res.Aborted > 0 {
				fmt.Fprintf(out, "%.16s: %d uploads deleted\n", res.Bucket, res.Aborted)
			} else {
				fmt.Fprintf(out, "%.16s: no uploads deleted\n", res.Bucket)
			}
		}
		return nil
	})
}

// ageUnits are the units parseAge knows, by every name it accepts.
var ageUnits = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
}

// parseAge reads a duration as Garage's --older-than takes one: numbers
// each followed by a unit (s, m, h, d, w, or their names), summed, spaces
// allowed ("1d12h", "2 days 3h"); a bare number is seconds.
func parseAge(s string) (time.Duration, error) {
	rest := strings.TrimSpace(s)
	if n, err := strconv.ParseUint(rest, 10, 32); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	if rest == "" {
		return 0, fmt.Errorf("empty duration")
	}
	var total time.Duration
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		n, err := strconv.ParseUint(rest[:i], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: expected a number at %q", s, rest)
		}
		rest = strings.TrimLeft(rest[i:], " ")
		j := 0
		for j < len(rest) && (rest[j] >= 'a' && rest[j] <= 'z' || rest[j] >= 'A' && rest[j] <= 'Z') {
			j++
		}
		unit, ok := ageUnits[strings.ToLower(rest[:j])]
		if !ok {
			return 0, fmt.Errorf("invalid duration %q: unknown unit %q (s, m, h, d, w)", s, rest[:j])
		}
		total += time.Duration(n) * unit
		if total > 100*365*24*time.Hour {
			return 0, fmt.Errorf("invalid duration %q: more than a century", s)
		}
		rest = strings.TrimLeft(rest[j:], " ")
	}
	return total, nil
}

// BucketCreateCmd creates a bucket.
type BucketCreateCmd struct {
	Name string `arg:"" help:"Bucket name (S3 naming rules)."`
}

func (c *BucketCreateCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var b admin.BucketInfo
		if err := a.call(admin.CreateBucket{Name: c.Name}, &b); err != nil {
			return err
		}
		fmt.Fprintf(out, "Bucket %s created (id %s).\n", c.Name, b.ID)
		return nil
	})
}

// BucketListCmd lists buckets.
type BucketListCmd struct{}

func (c *BucketListCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var buckets []admin.BucketInfo
		if err := a.call(admin.ListBuckets{}, &buckets); err != nil {
			return err
		}
		t := newTable(out, "ID", "Created", "Global aliases", "Local aliases")
		for _, b := range buckets {
			t.row(shortID(b.ID), dateMillis(b.Created), orDash(strings.Join(b.Aliases, ", ")), orDash(strings.Join(b.LocalAliases, ", ")))
		}
		t.flush()
		return nil
	})
}

// BucketInfoCmd shows a bucket.
type BucketInfoCmd struct {
	Bucket string `arg:"" help:"Bucket name or id."`
}

func (c *BucketInfoCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var b admin.BucketInfo
		if err := a.call(admin.GetBucket{Name: c.Bucket}, &b); err != nil {
			return err
		}
		fmt.Fprintf(out, "Bucket:        %s\n", b.ID)
		fmt.Fprintf(out, "Created:       %s\n", dateMillis(b.Created))
		fmt.Fprintf(out, "Global names:  %s\n", orDash(strings.Join(b.Aliases, ", ")))
		fmt.Fprintf(out, "Local names:   %s\n", orDash(strings.Join(b.LocalAliases, ", ")))
		fmt.Fprintf(out, "Versioning:    %s\n", orDash(b.Versioning))
		if b.ObjectLock {
			fmt.Fprintf(out, "Object lock:   on\n")
		}
		var w admin.WebsiteInfo
		if err := a.call(admin.GetBucketWebsite{Bucket: b.ID}, &w); err != nil {
			return err
		}
		printWebsite(out, w)
		printUsageAndQuotas(out, b.Usage, b.Quotas)
		if len(b.Keys) > 0 {
			fmt.Fprintln(out, "\nKeys:")
			t := newTable(out, "Rights", "Key ID", "Name")
			for _, k := range b.Keys {
				t.row(rights(k.Read, k.Write, k.Owner), k.ID, orDash(k.Name))
			}
			t.flush()
		}
		return nil
	})
}

// BucketInspectCmd lists one object's versions.
type BucketInspectCmd struct {
	Bucket string `arg:"" help:"Bucket name or id."`
	Key    string `arg:"" help:"Object key."`
}

func (c *BucketInspectCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var o admin.ObjectInfo
		if err := a.call(admin.InspectObject{Bucket: c.Bucket, Key: c.Key}, &o); err != nil {
			return err
		}
		if len(o.Versions) == 0 {
			fmt.Fprintf(out, "No versions of %q in bucket %s.\n", c.Key, shortID(o.Bucket))
			return nil
		}
		t := newTable(out, "Version", "Written", "State", "Kind", "Size", "ETag", "Current", "Lock", "Attributes")
		for i := len(o.Versions) - 1; i >= 0; i-- { // newest first, as listings show them
			v := o.Versions[i]
			current := ""
			if v.Current {
				current = "yes"
			}
			t.row(v.ID, dateMillis(v.Timestamp), v.State, orDash(v.Kind), bytesHuman(v.Size), orDash(v.ETag), orDash(current), orDash(v.Lock), orDash(formatAttrs(v.Attrs)))
		}
		t.flush()
		return nil
	})
}

// formatAttrs writes attributes as name=value, sorted by name.
func formatAttrs(attrs map[string]string) string {
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	slices.Sort(names)
	for i, n := range names {
		names[i] = n + "=" + attrs[n]
	}
	return strings.Join(names, " ")
}

// BucketDeleteCmd deletes a bucket.
type BucketDeleteCmd struct {
	Bucket string `arg:"" help:"Bucket name or id."`
	Yes    bool   `help:"Confirm the deletion."`
}

func (c *BucketDeleteCmd) Run(g *Globals, out io.Writer) error {
	if !c.Yes {
		return fmt.Errorf("add --yes to confirm deleting bucket %s", c.Bucket)
	}
	return g.withAdmin(func(a *adminClient) error {
		if err := a.call(admin.DeleteBucket{Name: c.Bucket}, nil); err != nil {
			return err
		}
		fmt.Fprintf(out, "Bucket %s deleted.\n", c.Bucket)
		return nil
	})
}

// permFlags are the rights flags of allow and deny.
type permFlags struct {
	Bucket string `arg:"" help:"Bucket name or id."`
	Key    string `required:"" help:"Key id, unique id prefix or name."`
	Read   bool   `help:"Read objects."`
	Write  bool   `help:"Write and delete objects."`
	Owner  bool   `help:"Manage the bucket (website, CORS, deletion)."`
}

func (p permFlags) run(g *Globals, out io.Writer, allow bool) error {
	return g.withAdmin(func(a *adminClient) error {
		var b admin.BucketInfo
		op := admin.SetBucketPerms{Bucket: p.Bucket, Key: p.Key, Read: p.Read, Write: p.Write, Owner: p.Owner, Allow: allow}
		if err := a.call(op, &b); err != nil {
			return err
		}
		for _, k := range b.Keys {
			fmt.Fprintf(out, "Key %s now has %s on bucket %s.\n", k.ID, rights(k.Read, k.Write, k.Owner), p.Bucket)
		}
		if len(b.Keys) == 0 {
			fmt.Fprintf(out, "Key %s has no rights left on bucket %s.\n", p.Key, p.Bucket)
		}
		return nil
	})
}

// BucketAllowCmd grants rights.
type BucketAllowCmd struct{ permFlags }

func (c *BucketAllowCmd) Run(g *Globals, out io.Writer) error { return c.run(g, out, true) }

// BucketDenyCmd revokes rights.
type BucketDenyCmd struct{ permFlags }

func (c *BucketDenyCmd) Run(g *Globals, out io.Writer) error { return c.run(g, out, false) }

// BucketAliasCmd adds a name.
type BucketAliasCmd struct {
	Bucket string `arg:"" help:"Bucket name or id."`
	Alias  string `arg:"" help:"The new name."`
	Local  string `help:"Make the name local to this key (id, prefix or name) instead of global."`
}

func (c *BucketAliasCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		if err := a.call(admin.AliasBucket{Bucket: c.Bucket, Alias: c.Alias, LocalKey: c.Local}, nil); err != nil {
			return err
		}
		fmt.Fprintf(out, "Alias %s now points to bucket %s.\n", c.Alias, c.Bucket)
		return nil
	})
}

// BucketUnaliasCmd removes a name.
type BucketUnaliasCmd struct {
	Alias string `arg:"" help:"The name to remove."`
	Local string `help:"The key whose local name it is."`
}

func (c *BucketUnaliasCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		bucket := c.Alias
		if c.Local != "" {
			// A local alias is resolved through the key's namespace, not the global one.
			var k admin.KeyInfo
			if err := a.call(admin.GetKey{Pattern: c.Local}, &k); err != nil {
				return err
			}
			id, ok := k.LocalAliases[c.Alias]
			if !ok {
				return fmt.Errorf("key %s has no local alias %q", k.ID, c.Alias)
			}
			bucket = id
		}
		if err := a.call(admin.AliasBucket{Bucket: bucket, Alias: c.Alias, LocalKey: c.Local, Remove: true}, nil); err != nil {
			return err
		}
		fmt.Fprintf(out, "Alias %s removed.\n", c.Alias)
		return nil
	})
}
