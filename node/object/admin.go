package object

import (
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
)

// VersionEntry reads one entry of the versions table from a quorum (for
// the admin's block inspection); found is false if no replica has it.
func (s *Service) VersionEntry(now cluster.Time, id model.VersionID, done func(cluster.Time, model.Version, bool, error)) {
	s.versions.Get(now, model.VersionKey(id), func(now cluster.Time, v model.Version, found bool, err error) { done(now, v, found, err) })
}
