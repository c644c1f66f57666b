package main

import (
	"fmt"
	"io"

	"github.com/garagego/garage/node/admin"
)

// BlockCmd groups block commands.
type BlockCmd struct {
	ListErrors BlockListErrorsCmd `cmd:"" name:"list-errors" help:"List the blocks this node fails to resync."`
	RetryNow   BlockRetryNowCmd   `cmd:"" name:"retry-now" help:"Retry failing blocks now."`
	Info       BlockInfoCmd       `cmd:"" help:"Show a block: reference count, the versions using it, resync state."`
	Purge      BlockPurgeCmd      `cmd:"" help:"Delete for good every object, upload and version using the given blocks (data known lost)."`
}

// BlockListErrorsCmd lists resync errors.
type BlockListErrorsCmd struct{}

func (c *BlockListErrorsCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var errs []admin.BlockError
		if err := a.call(admin.ListBlockErrors{}, &errs); err != nil {
			return err
		}
		if len(errs) == 0 {
			fmt.Fprintln(out, "No block errors.")
			return nil
		}
		t := newTable(out, "Hash", "Failures", "Last try", "Next try", "Last error")
		for _, e := range errs {
			t.row(e.Hash, fmt.Sprint(e.Failures), e.LastTry, e.NextTry, e.LastError)
		}
		t.flush()
		return nil
	})
}

// BlockRetryNowCmd retries failing blocks.
type BlockRetryNowCmd struct {
	All    bool     `help:"Retry every failing block."`
	Blocks []string `arg:"" optional:"" help:"Block hashes."`
}

func (c *BlockRetryNowCmd) Run(g *Globals, out io.Writer) error {
	if c.All == (len(c.Blocks) > 0) {
		return fmt.Errorf("give either --all or block hashes")
	}
	return g.withAdmin(func(a *adminClient) error {
		var n int
		if err := a.call(admin.RetryBlocks{Hashes: c.Blocks}, &n); err != nil {
			return err
		}
		fmt.Fprintf(out, "%d blocks scheduled for an immediate retry.\n", n)
		return nil
	})
}

// BlockInfoCmd shows a block.
type BlockInfoCmd struct {
	Hash string `arg:"" help:"Block hash (64 hex digits)."`
}

func (c *BlockInfoCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var b admin.BlockInfo
		if err := a.call(admin.GetBlockInfo{Hash: c.Hash}, &b); err != nil {
			return err
		}
		fmt.Fprintf(out, "Block:            %s\n", b.Hash)
		fmt.Fprintf(out, "Reference count:  %d (on this node)\n", b.RefCount)
		if b.ZeroSince != "" {
			fmt.Fprintf(out, "Unreferenced since %s\n", b.ZeroSince)
		}
		fmt.Fprintf(out, "Queued for check: %v\n", b.Queued)
		if b.Error != nil {
			fmt.Fprintf(out, "Resync error:     %d failures, last %s: %s (next try %s)\n", b.Error.Failures, b.Error.LastTry, b.Error.LastError, b.Error.NextTry)
		}
		if len(b.References) > 0 {
			fmt.Fprintln(out, "\nReferences:")
			t := newTable(out, "Version", "State")
			for _, r := range b.References {
				state := "live"
				if r.Deleted {
					state = "deleted"
				}
				t.row(r.Version, state)
			}
			t.flush()
		}
		return nil
	})
}

// BlockPurgeCmd purges blocks on the node reached, as Garage's: the
// objects and uploads using them are deleted permanently.
type BlockPurgeCmd struct {
	Yes    bool     `help:"Confirm: the objects and uploads using these blocks are deleted permanently."`
	Blocks []string `arg:"" help:"Block hashes (64 hex digits)."`
}

func (c *BlockPurgeCmd) Run(g *Globals, out io.Writer) error {
	if !c.Yes {
		return fmt.Errorf("pass the --yes flag to confirm the block purge: the objects and uploads using these blocks are deleted permanently")
	}
	return g.withAdmin(func(a *adminClient) error {
		var r admin.BlocksPurged
		if err := a.call(admin.PurgeBlocks{Hashes: c.Blocks}, &r); err != nil {
			return err
		}
		fmt.Fprintf(out, "Purged %d blocks: deleted %d block refs, %d versions, %d objects, %d multipart uploads\n",
			r.BlocksPurged, r.BlockRefsPurged, r.VersionsDeleted, r.ObjectsDeleted, r.UploadsDeleted)
		return nil
	})
}

// RepairCmd groups repair operations, run on the node reached.
type RepairCmd struct {
	Tables RepairTablesCmd `cmd:"" help:"Run a full anti-entropy pass with every peer now."`
	Blocks RepairBlocksCmd `cmd:"" help:"Check every referenced and every stored block: fetch missing ones, collect unreferenced ones."`
	Scrub  RepairScrubCmd  `cmd:"" help:"Start a full scrub: re-hash every stored block, repair corrupt ones from peers."`
}

type repairFlags struct {
	Yes bool `help:"Confirm: repairs read every block or entry and load the node."`
}

func (f repairFlags) run(g *Globals, out io.Writer, op interface{ OpName() string }, what string) error {
	if !f.Yes {
		return fmt.Errorf("add --yes to confirm")
	}
	return g.withAdmin(func(a *adminClient) error {
		if err := a.call(op, nil); err != nil {
			return err
		}
		fmt.Fprintf(out, "%s started; follow it with `garage worker list`.\n", what)
		return nil
	})
}

// RepairTablesCmd runs anti-entropy now.
type RepairTablesCmd struct{ repairFlags }

func (c *RepairTablesCmd) Run(g *Globals, out io.Writer) error {
	return c.run(g, out, admin.RepairTables{}, "Table repair")
}

// RepairBlocksCmd checks every block.
type RepairBlocksCmd struct{ repairFlags }

func (c *RepairBlocksCmd) Run(g *Globals, out io.Writer) error {
	return c.run(g, out, admin.RepairBlocks{}, "Block repair")
}

// RepairScrubCmd starts a scrub.
type RepairScrubCmd struct{ repairFlags }

func (c *RepairScrubCmd) Run(g *Globals, out io.Writer) error {
	return c.run(g, out, admin.RepairScrub{}, "Scrub")
}

// WorkerCmd groups worker commands.
type WorkerCmd struct {
	List WorkerListCmd `cmd:"" help:"Show the background workers of the node."`
	Get  WorkerGetCmd  `cmd:"" help:"Show the tunable worker variables."`
	Set  WorkerSetCmd  `cmd:"" help:"Change a worker variable: resync-worker-count (1-8), resync-tranquility, scrub-tranquility."`
}

// WorkerGetCmd shows worker variables.
type WorkerGetCmd struct{}

func (c *WorkerGetCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var vars []admin.WorkerVar
		if err := a.call(admin.GetWorkerVars{}, &vars); err != nil {
			return err
		}
		printVars(out, vars)
		return nil
	})
}

func printVars(out io.Writer, vars []admin.WorkerVar) {
	t := newTable(out, "Variable", "Value")
	for _, v := range vars {
		t.row(v.Name, fmt.Sprint(v.Value))
	}
	t.flush()
}

// WorkerSetCmd changes a worker variable.
type WorkerSetCmd struct {
	Name  string `arg:"" help:"Variable name."`
	Value int    `arg:"" help:"New value."`
}

func (c *WorkerSetCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var vars []admin.WorkerVar
		if err := a.call(admin.SetWorkerVar{Name: c.Name, Value: c.Value}, &vars); err != nil {
			return err
		}
		printVars(out, vars)
		return nil
	})
}

// WorkerListCmd lists workers.
type WorkerListCmd struct{}

func (c *WorkerListCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var w admin.Workers
		if err := a.call(admin.ListWorkers{}, &w); err != nil {
			return err
		}
		t := newTable(out, "Worker", "State", "Details")
		t.row("block resync", state(w.Resync.Queue > 0), fmt.Sprintf("queue %d, errors %d; %d checked, %d fetched, %d collected, %d failures",
			w.Resync.Queue, w.Resync.Errors, w.Resync.Done, w.Resync.Fetched, w.Resync.Deleted, w.Resync.Failures))
		scrub := fmt.Sprintf("%d blocks verified, %d corruptions found", w.Scrub.Scrubbed, w.Scrub.Corruptions)
		if w.Scrub.Position != "" {
			scrub += ", at " + w.Scrub.Position
		}
		if w.Scrub.LastCompleted != "" {
			scrub += "; last completed " + w.Scrub.LastCompleted
		}
		t.row("scrub", state(w.Scrub.Running), scrub)
		t.row("table sync", "periodic", fmt.Sprintf("%d root comparisons, %d partitions exchanged", w.SyncPasses, w.SyncJobs))
		t.row("insert queue", state(w.InsertQueue > 0), fmt.Sprintf("%d entries waiting", w.InsertQueue))
		t.flush()
		return nil
	})
}

func state(busy bool) string {
	if busy {
		return "busy"
	}
	return "idle"
}
