package main

import (
	"fmt"
	"syscall"
)

// minFreeForRun is the free space a comparison wants before each run: a
// 20 s phase of 1 MiB PUTs writes gigabytes, and this store's deleted
// blocks leave the disk only after the block GC delay (10 minutes).
const minFreeForRun = 4 << 30

// checkFreeSpace refuses to start a run on a nearly full disk.
func checkFreeSpace(dir string) error {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return fmt.Errorf("free space under %s: %w", dir, err)
	}
	if free := int64(st.Bavail) * int64(st.Bsize); free < minFreeForRun {
		return fmt.Errorf("only %.1f GiB free under %s, want %d GiB before a run (deleted blocks leave this store's disks 10 minutes after deletion): stopping", float64(free)/(1<<30), dir, minFreeForRun>>30)
	}
	return nil
}
