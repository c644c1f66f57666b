package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

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
