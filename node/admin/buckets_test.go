package admin

import (
	"testing"

	"github.com/garagego/garage/node/model"
)

// describeLock shows the effective lock: the attribute over the header a
// version was created with.
func TestDescribeLock(t *testing.T) {
	created := model.VersionState{Kind: model.Complete, Meta: model.ObjectMeta{Headers: []model.Header{
		{Name: model.HeaderRetention, Value: "GOVERNANCE 86400000"}}}}
	if got := describeLock(created); got != "GOVERNANCE until 1970-01-02T00:00:00Z" {
		t.Fatalf("created with a retention: %q", got)
	}
	changed := created.WithAttr(model.AttrRetention, 1, model.Retention{Mode: model.LockMode("COMPLIANCE"), Until: 172800000}.Encode()).
		WithAttr(model.AttrLegalHold, 1, model.EncodeLegalHold(true))
	if got := describeLock(changed); got != "COMPLIANCE until 1970-01-03T00:00:00Z, legal hold" {
		t.Fatalf("after changes: %q", got)
	}
	if got := describeLock(model.VersionState{Kind: model.Complete}); got != "" {
		t.Fatalf("no lock: %q", got)
	}
}
