package chaos

import (
	"fmt"
	"os"
	"syscall"
)

// A node's data directory is a small tmpfs of its own, so that a full
// disk can be made without touching the machine's: mounting needs root
// (or CAP_SYS_ADMIN); without it the disk-full fault is skipped.

// dataDiskSize bounds a node's data tmpfs; pages count only once used.
const dataDiskSize = "1g"

func mountDataDisk(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "size="+dataDiskSize+",mode=0700"); err != nil {
		return fmt.Errorf("mount a tmpfs on %s: %w", dir, err)
	}
	return nil
}

func unmountDataDisk(dir string) error {
	if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
		return fmt.Errorf("unmount %s: %w", dir, err)
	}
	return nil
}

// fillDisk takes every free byte of dir's filesystem into one file and
// returns its path.
func fillDisk(dir string) (string, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return "", err
	}
	path := dir + "/chaos-filler"
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return "", err
	}
	defer f.Close()
	free := int64(st.Bavail) * int64(st.Bsize)
	if err := syscall.Fallocate(int(f.Fd()), 0, 0, free); err != nil {
		// Then write until the disk refuses: ENOSPC is the point.
		buf := make([]byte, 1<<20)
		for {
			if _, err := f.Write(buf); err != nil {
				break
			}
		}
	}
	return path, nil
}
