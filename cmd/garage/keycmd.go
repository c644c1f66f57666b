package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/garagego/garage/node/admin"
)

// KeyCmd groups access key commands.
type KeyCmd struct {
	Create KeyCreateCmd `cmd:"" help:"Create an access key."`
	List   KeyListCmd   `cmd:"" help:"List access keys."`
	Info   KeyInfoCmd   `cmd:"" help:"Show an access key and its buckets."`
	Delete KeyDeleteCmd `cmd:"" help:"Delete an access key."`
	Allow  KeyAllowCmd  `cmd:"" help:"Give a key rights that are not tied to a bucket."`
	Deny   KeyDenyCmd   `cmd:"" help:"Take such rights away."`
	Import KeyImportCmd `cmd:"" help:"Import an existing key id and secret (e.g. from another Garage cluster)."`
}

// KeyCreateCmd creates a key.
type KeyCreateCmd struct {
	Name string `arg:"" optional:"" help:"A name for the key."`
}

func (c *KeyCreateCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var k admin.KeyInfo
		if err := a.call(admin.CreateKey{Name: c.Name}, &k); err != nil {
			return err
		}
		printKey(out, k)
		return nil
	})
}

func printKey(out io.Writer, k admin.KeyInfo) {
	fmt.Fprintf(out, "Key name:          %s\n", orDash(k.Name))
	fmt.Fprintf(out, "Key ID:            %s\n", k.ID)
	if k.Secret != "" {
		fmt.Fprintf(out, "Secret key:        %s\n", k.Secret)
	} else {
		fmt.Fprintf(out, "Secret key:        (redacted; use --show-secret)\n")
	}
	fmt.Fprintf(out, "Created:           %s\n", dateMillis(k.Created))
	fmt.Fprintf(out, "Can create buckets: %v\n", k.AllowCreateBucket)
	if len(k.Buckets) > 0 {
		fmt.Fprintln(out, "\nBuckets:")
		t := newTable(out, "Rights", "ID", "Aliases")
		for _, b := range k.Buckets {
			t.row(rights(b.Read, b.Write, b.Owner), shortID(b.ID), strings.Join(b.Aliases, ", "))
		}
		t.flush()
	}
	if len(k.LocalAliases) > 0 {
		names := make([]string, 0, len(k.LocalAliases))
		for n := range k.LocalAliases {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintln(out, "\nLocal aliases:")
		for _, n := range names {
			fmt.Fprintf(out, "  %s -> %s\n", n, shortID(k.LocalAliases[n]))
		}
	}
}

func rights(read, write, owner bool) string {
	r := []byte("---")
	if read {
		r[0] = 'R'
	}
	if write {
		r[1] = 'W'
	}
	if owner {
		r[2] = 'O'
	}
	return string(r)
}

// KeyListCmd lists keys.
type KeyListCmd struct{}

func (c *KeyListCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var keys []admin.KeyInfo
		if err := a.call(admin.ListKeys{}, &keys); err != nil {
			return err
		}
		t := newTable(out, "ID", "Name", "Created")
		for _, k := range keys {
			t.row(k.ID, orDash(k.Name), dateMillis(k.Created))
		}
		t.flush()
		return nil
	})
}

// KeyInfoCmd shows a key.
type KeyInfoCmd struct {
	Key        string `arg:"" help:"Key id, unique id prefix or name."`
	ShowSecret bool   `help:"Show the secret key."`
}

func (c *KeyInfoCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var k admin.KeyInfo
		if err := a.call(admin.GetKey{Pattern: c.Key, ShowSecret: c.ShowSecret}, &k); err != nil {
			return err
		}
		printKey(out, k)
		return nil
	})
}

// KeyDeleteCmd deletes a key.
type KeyDeleteCmd struct {
	Key string `arg:"" help:"Key id, unique id prefix or name."`
	Yes bool   `help:"Confirm: deleting a key cannot be undone."`
}

func (c *KeyDeleteCmd) Run(g *Globals, out io.Writer) error {
	if !c.Yes {
		return fmt.Errorf("deleting a key cannot be undone; add --yes to confirm")
	}
	return g.withAdmin(func(a *adminClient) error {
		var k admin.KeyInfo
		if err := a.call(admin.DeleteKey{Pattern: c.Key}, &k); err != nil {
			return err
		}
		fmt.Fprintf(out, "Key %s deleted.\n", k.ID)
		return nil
	})
}

// KeyAllowCmd grants key-wide rights.
type KeyAllowCmd struct {
	Key          string `arg:"" help:"Key id, unique id prefix or name."`
	CreateBucket bool   `help:"Allow the key to create buckets."`
}

func (c *KeyAllowCmd) Run(g *Globals, out io.Writer) error {
	return setKeyFlags(g, out, c.Key, c.CreateBucket, true)
}

// KeyDenyCmd removes key-wide rights.
type KeyDenyCmd struct {
	Key          string `arg:"" help:"Key id, unique id prefix or name."`
	CreateBucket bool   `help:"Forbid the key to create buckets."`
}

func (c *KeyDenyCmd) Run(g *Globals, out io.Writer) error {
	return setKeyFlags(g, out, c.Key, c.CreateBucket, false)
}

func setKeyFlags(g *Globals, out io.Writer, key string, createBucket, allow bool) error {
	if !createBucket {
		return fmt.Errorf("nothing to change: give --create-bucket")
	}
	return g.withAdmin(func(a *adminClient) error {
		var k admin.KeyInfo
		if err := a.call(admin.SetKeyFlags{Pattern: key, CreateBucket: createBucket, Allow: allow}, &k); err != nil {
			return err
		}
		printKey(out, k)
		return nil
	})
}

// KeyImportCmd imports a key.
type KeyImportCmd struct {
	ID     string `arg:"" help:"Access key id (GK followed by 24 hex digits)."`
	Secret string `arg:"" help:"Secret key (64 hex digits)."`
	Name   string `short:"n" help:"A name for the key."`
	Yes    bool   `help:"Confirm: importing keys is meant for migrations; prefer garage key create."`
}

func (c *KeyImportCmd) Run(g *Globals, out io.Writer) error {
	if !c.Yes {
		return fmt.Errorf("importing keys is meant for migrations; add --yes to confirm")
	}
	return g.withAdmin(func(a *adminClient) error {
		var k admin.KeyInfo
		if err := a.call(admin.ImportKey{ID: c.ID, Secret: c.Secret, Name: c.Name}, &k); err != nil {
			return err
		}
		printKey(out, k)
		return nil
	})
}
