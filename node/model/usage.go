package model

// Usage is what a bucket holds.
type Usage struct {
	Objects           uint64 `json:"objects"`           // keys whose current version holds data
	Versions          uint64 `json:"versions"`          // data versions, current or not
	DeleteMarkers     uint64 `json:"deleteMarkers"`     // delete markers S3 lists
	Bytes             uint64 `json:"bytes"`             // of every data version
	UnfinishedUploads uint64 `json:"unfinishedUploads"` // multipart uploads in progress
}

// Add counts the versions of one key (as Object.Listed gives them, newest
// first) into u.
func (u *Usage) Add(listed []ObjectVersion) {
	for i, v := range listed {
		if v.State.Data == DeleteMarker {
			u.DeleteMarkers++
			continue
		}
		if i == 0 {
			u.Objects++
		}
		u.Versions++
		u.Bytes += v.State.Meta.Size
	}
}
