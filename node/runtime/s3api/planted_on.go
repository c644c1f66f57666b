//go:build garage_planted_bugs

package s3api

import "os"

func init() { plantedShortBodyOK = os.Getenv("GARAGE_PLANTED_BUG") == "short-body-ok" }
