package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/garagego/garage/node/admin"
)

// BucketWebsiteCmd turns a bucket's website access on or off, as Garage's
// `garage bucket website` does: on, the website endpoint ([s3_web])
// serves it anonymously with its index and error documents.
type BucketWebsiteCmd struct {
	Allow         bool   `help:"Serve the bucket as a website."`
	Deny          bool   `help:"Stop serving the bucket as a website."`
	Bucket        string `arg:"" help:"Bucket name or id."`
	IndexDocument string `help:"The document served for a directory." default:"index.html"`
	ErrorDocument string `help:"The object served, with the error's status, when a page fails with a client error (404...)."`
}

func (c *BucketWebsiteCmd) Run(g *Globals, out io.Writer) error {
	if c.Allow == c.Deny {
		return errors.New("give exactly one of --allow and --deny")
	}
	return g.withAdmin(func(a *adminClient) error {
		var w admin.WebsiteInfo
		op := admin.SetBucketWebsite{Bucket: c.Bucket, Allow: c.Allow, IndexDocument: c.IndexDocument, ErrorDocument: c.ErrorDocument}
		if err := a.call(op, &w); err != nil {
			return err
		}
		if w.Enabled {
			fmt.Fprintf(out, "Website access allowed for %s\n", c.Bucket)
		} else {
			fmt.Fprintf(out, "Website access denied for %s\n", c.Bucket)
		}
		return nil
	})
}

// printWebsite writes `bucket info`'s website lines.
func printWebsite(out io.Writer, w admin.WebsiteInfo) {
	if !w.Enabled {
		fmt.Fprintf(out, "Website:       off\n")
		return
	}
	switch {
	case w.RedirectAllTo != "":
		fmt.Fprintf(out, "Website:       on (every request redirected to %s)\n", w.RedirectAllTo)
	default:
		fmt.Fprintf(out, "Website:       on (index %s, error document %s", w.IndexDocument, orDash(w.ErrorDocument))
		if w.RoutingRules > 0 {
			fmt.Fprintf(out, ", %d routing rules", w.RoutingRules)
		}
		fmt.Fprintln(out, ")")
	}
}
