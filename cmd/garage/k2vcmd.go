package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kong"

	"github.com/garagego/garage/client/k2v"
)

// K2VCmd groups the K2V API's commands: they talk to a node's K2V HTTP
// endpoint with an access key, as any application would, through
// client/k2v.
//
// Output, for scripts:
//   - read and poll print the item's values on stdout, one per line (a
//     tombstone is left out), or with --base64 one base64 line per value
//     and "-" for a tombstone, or with --raw the single value's exact
//     bytes. The causality token goes to stderr, alone on one line, or to
//     the file --token-out names (then stderr stays quiet).
//   - read-index and read-range print a table, or JSON with --json.
//
// Exit status: 0 done; 1 error (an item not found included); 2 poll
// timed out with no change (304 Not Modified).
type K2VCmd struct {
	Endpoint string `default:"http://127.0.0.1:3904" env:"GARAGE_K2V_ENDPOINT" help:"The node's K2V API URL."`
	Region   string `default:"garage" env:"GARAGE_K2V_REGION" help:"Region the requests are signed for (the node's s3_region)."`
	KeyID    string `name:"key-id" env:"GARAGE_K2V_KEY_ID" help:"Access key id."`
	Secret   string `env:"GARAGE_K2V_SECRET" help:"Secret key (prefer the environment variable: a flag shows in the process list)."`

	Insert      K2VInsertCmd      `cmd:"" help:"Write a value: VALUE, --file, or stdin. Without --token it becomes a sibling of what the item holds."`
	Read        K2VReadCmd        `cmd:"" help:"Print an item's values; its causality token goes to stderr (or --token-out)."`
	Delete      K2VDeleteCmd      `cmd:"" help:"Delete the values a causality token covers."`
	Poll        K2VPollCmd        `cmd:"" help:"Wait until an item changes from what --token saw; exit 2 if the timeout passes first."`
	ReadIndex   K2VReadIndexCmd   `cmd:"" name:"read-index" help:"List a bucket's partition keys with their counts."`
	ReadRange   K2VReadRangeCmd   `cmd:"" name:"read-range" help:"List the items of a partition key."`
	DeleteRange K2VDeleteRangeCmd `cmd:"" name:"delete-range" help:"Delete the items of a partition key in a range (all of them without --prefix, --start, --end)."`
}

// k2vStdin is what insert reads without VALUE or --file; tests replace it.
var k2vStdin io.Reader = os.Stdin

// client makes a client for bucket from the connection flags.
func (k *K2VCmd) client(bucket string) (*k2v.Client, error) {
	if k.KeyID == "" || k.Secret == "" {
		return nil, errors.New("k2v: give an access key with --key-id and --secret, or GARAGE_K2V_KEY_ID and GARAGE_K2V_SECRET")
	}
	return k2v.New(k2v.Config{Endpoint: k.Endpoint, Region: k.Region, AccessKeyID: k.KeyID, SecretAccessKey: k.Secret, Bucket: bucket})
}

// interruptible is a context Ctrl-C or SIGTERM cancels.
func interruptible() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// itemArgs address one item.
type itemArgs struct {
	Bucket string `arg:"" help:"Bucket name."`
	PK     string `arg:"" name:"pk" help:"Partition key."`
	SK     string `arg:"" name:"sk" help:"Sort key."`
}

// K2VInsertCmd writes one value.
type K2VInsertCmd struct {
	itemArgs
	Value *string `arg:"" optional:"" help:"The value (default: --file, else stdin)."`
	File  string  `short:"f" help:"Read the value from this file." type:"existingfile"`
	Token string  `help:"Causality token of a read: the values it saw are superseded."`
}

func (c *K2VInsertCmd) Run(k *K2VCmd) error {
	value, err := c.value()
	if err != nil {
		return err
	}
	cl, err := k.client(c.Bucket)
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	return cl.InsertItem(ctx, c.PK, c.SK, value, k2v.CausalityToken(c.Token))
}

func (c *K2VInsertCmd) value() ([]byte, error) {
	switch {
	case c.Value != nil && c.File != "":
		return nil, errors.New("give the value as an argument or with --file, not both")
	case c.Value != nil:
		return []byte(*c.Value), nil
	case c.File != "":
		return os.ReadFile(c.File)
	default:
		v, err := io.ReadAll(k2vStdin)
		if err != nil {
			return nil, fmt.Errorf("reading the value from stdin: %w", err)
		}
		return v, nil
	}
}

// valueOutput prints an item's values and token (read and poll).
type valueOutput struct {
	Base64   bool   `name:"base64" help:"Print each value as a base64 line, a tombstone as \"-\" (exact for binary values and siblings)."`
	Raw      bool   `help:"Print the single value's exact bytes, no newline; fail if the item has siblings or is deleted."`
	TokenOut string `name:"token-out" help:"Write the causality token to this file instead of stderr." type:"path"`
}

func (o valueOutput) print(kctx *kong.Context, out io.Writer, values [][]byte, token k2v.CausalityToken) error {
	if o.TokenOut != "" {
		if err := os.WriteFile(o.TokenOut, []byte(string(token)+"\n"), 0o600); err != nil {
			return fmt.Errorf("--token-out: %w", err)
		}
	} else {
		fmt.Fprintln(kctx.Stderr, token)
	}
	switch {
	case o.Raw:
		if len(values) != 1 {
			return fmt.Errorf("the item has %d concurrent values; read it with --base64", len(values))
		}
		if values[0] == nil {
			return errors.New("the item is deleted (a tombstone)")
		}
		_, err := out.Write(values[0])
		return err
	case o.Base64:
		for _, v := range values {
			if v == nil {
				fmt.Fprintln(out, "-")
			} else {
				fmt.Fprintln(out, base64.StdEncoding.EncodeToString(v))
			}
		}
	default:
		for _, v := range values {
			if v != nil {
				fmt.Fprintf(out, "%s\n", v)
			}
		}
	}
	return nil
}

// K2VReadCmd reads one item.
type K2VReadCmd struct {
	itemArgs
	valueOutput
}

func (c *K2VReadCmd) Run(k *K2VCmd, kctx *kong.Context, out io.Writer) error {
	if c.Raw && c.Base64 {
		return errors.New("--raw and --base64 are exclusive")
	}
	cl, err := k.client(c.Bucket)
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	values, token, err := cl.ReadItem(ctx, c.PK, c.SK)
	if err != nil {
		return err
	}
	return c.print(kctx, out, values, token)
}

// K2VDeleteCmd deletes what a token covers.
type K2VDeleteCmd struct {
	itemArgs
	Token string `required:"" help:"Causality token of a read of the item."`
}

func (c *K2VDeleteCmd) Run(k *K2VCmd) error {
	cl, err := k.client(c.Bucket)
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	return cl.DeleteItem(ctx, c.PK, c.SK, k2v.CausalityToken(c.Token))
}

// K2VPollCmd waits for a change of one item.
type K2VPollCmd struct {
	itemArgs
	valueOutput
	Token   string        `required:"" help:"Causality token of the last read: wait for a value it has not seen."`
	Timeout time.Duration `default:"300s" help:"How long the node waits (1s to 600s)."`
}

func (c *K2VPollCmd) Run(k *K2VCmd, kctx *kong.Context, out io.Writer) error {
	if c.Raw && c.Base64 {
		return errors.New("--raw and --base64 are exclusive")
	}
	if c.Timeout < time.Second || c.Timeout > 600*time.Second {
		return fmt.Errorf("--timeout %s: want 1s to 600s", c.Timeout)
	}
	cl, err := k.client(c.Bucket)
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	values, token, changed, err := cl.PollItem(ctx, c.PK, c.SK, k2v.CausalityToken(c.Token), c.Timeout)
	if err != nil {
		return err
	}
	if !changed {
		return exitError{code: 2, err: fmt.Errorf("no change in %s", c.Timeout)}
	}
	return c.print(kctx, out, values, token)
}

// rangeFlags select keys, as K2V's filters do.
type rangeFlags struct {
	Prefix  string `help:"Only keys that begin with this."`
	Start   string `help:"First key (with --reverse, the highest)."`
	End     string `help:"Stop before this key."`
	Limit   int    `help:"At most this many keys; the next start is printed when more remain."`
	Reverse bool   `help:"Highest keys first."`
	JSON    bool   `name:"json" help:"Print JSON instead of a table."`
}

func (r rangeFlags) filter() (k2v.Filter, error) {
	if r.Limit < 0 {
		return k2v.Filter{}, fmt.Errorf("--limit %d: must not be negative", r.Limit)
	}
	return k2v.Filter{Prefix: r.Prefix, Start: r.Start, End: r.End, Limit: r.Limit, Reverse: r.Reverse}, nil
}

// K2VReadIndexCmd lists partition keys.
type K2VReadIndexCmd struct {
	Bucket string `arg:"" help:"Bucket name."`
	rangeFlags
}

func (c *K2VReadIndexCmd) Run(k *K2VCmd, out io.Writer) error {
	f, err := c.filter()
	if err != nil {
		return err
	}
	cl, err := k.client(c.Bucket)
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	res, err := cl.ReadIndex(ctx, f)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(out, map[string]any{"partitionKeys": orEmpty(res.Partitions), "more": res.More, "nextStart": nullable(res.More, res.NextStart)})
	}
	t := newTable(out, "Partition key", "Entries", "Conflicts", "Values", "Bytes")
	for _, p := range res.Partitions {
		t.row(p.PK, fmt.Sprint(p.Entries), fmt.Sprint(p.Conflicts), fmt.Sprint(p.Values), fmt.Sprint(p.Bytes))
	}
	t.flush()
	printMore(out, res.More, res.NextStart)
	return nil
}

// K2VReadRangeCmd lists items of a partition key.
type K2VReadRangeCmd struct {
	Bucket string `arg:"" help:"Bucket name."`
	PK     string `arg:"" name:"pk" help:"Partition key."`
	rangeFlags
	Tombstones    bool `help:"Also list deleted items (their tokens let a later insert supersede the deletion)."`
	ConflictsOnly bool `name:"conflicts-only" help:"Only items with concurrent values."`
}

func (c *K2VReadRangeCmd) Run(k *K2VCmd, out io.Writer) error {
	f, err := c.filter()
	if err != nil {
		return err
	}
	cl, err := k.client(c.Bucket)
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	res, err := cl.ReadBatch(ctx, []k2v.BatchReadOp{{PartitionKey: c.PK, Filter: f, Tombstones: c.Tombstones, ConflictsOnly: c.ConflictsOnly}})
	if err != nil {
		return err
	}
	r := res[0]
	if c.JSON {
		// The shape of Garage's ReadBatch items: values in base64, null
		// for a tombstone.
		type item struct {
			SK string    `json:"sk"`
			CT string    `json:"ct"`
			V  []*string `json:"v"`
		}
		items := make([]item, len(r.Items))
		for i, it := range r.Items {
			items[i] = item{SK: it.SK, CT: string(it.Token), V: make([]*string, len(it.Values))}
			for j, v := range it.Values {
				if v != nil {
					s := base64.StdEncoding.EncodeToString(v)
					items[i].V[j] = &s
				}
			}
		}
		return printJSON(out, map[string]any{"items": items, "more": r.More, "nextStart": nullable(r.More, r.NextStart)})
	}
	t := newTable(out, "Sort key", "Values", "Token")
	for _, it := range r.Items {
		t.row(it.SK, showValues(it.Values), string(it.Token))
	}
	t.flush()
	printMore(out, r.More, r.NextStart)
	return nil
}

// showValues prints values for a table: quoted text, "(deleted)" for a
// tombstone, siblings separated by " | ".
func showValues(values [][]byte) string {
	parts := make([]string, len(values))
	for i, v := range values {
		if v == nil {
			parts[i] = "(deleted)"
		} else {
			parts[i] = strconv.Quote(string(v))
		}
	}
	return strings.Join(parts, " | ")
}

// K2VDeleteRangeCmd deletes items of a partition key.
type K2VDeleteRangeCmd struct {
	Bucket string `arg:"" help:"Bucket name."`
	PK     string `arg:"" name:"pk" help:"Partition key."`
	Prefix string `help:"Only sort keys that begin with this."`
	Start  string `help:"First sort key."`
	End    string `help:"Stop before this sort key."`
}

func (c *K2VDeleteRangeCmd) Run(k *K2VCmd, out io.Writer) error {
	cl, err := k.client(c.Bucket)
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	counts, err := cl.DeleteBatch(ctx, []k2v.BatchDeleteOp{{PartitionKey: c.PK, Prefix: c.Prefix, Start: c.Start, End: c.End}})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Deleted %d items.\n", counts[0])
	return nil
}

func printMore(out io.Writer, more bool, next string) {
	if more {
		fmt.Fprintf(out, "More remain: continue with --start %s\n", strconv.Quote(next))
	}
}

func printJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func nullable(set bool, s string) *string {
	if !set {
		return nil
	}
	return &s
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
