package main

import (
	"fmt"
	"os"
)

// clusterDir makes the directory of a local cluster: --dir, which must be
// new or empty and is kept, or a temporary one that cleanup removes.
func clusterDir(dir, purpose string) (string, func(), error) {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "garage-"+purpose+"-")
		if err != nil {
			return "", nil, fmt.Errorf("create a directory for the cluster: %w", err)
		}
		return tmp, func() { os.RemoveAll(tmp) }, nil
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return "", nil, fmt.Errorf("--dir %s is not empty: the %s needs a fresh cluster", dir, purpose)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("create --dir %s: %w", dir, err)
	}
	return dir, func() {}, nil
}
