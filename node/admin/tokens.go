package admin

import (
	"fmt"
	"strings"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/table"
)

// Admin API token operations. A token is named by its id (the public
// prefix of the bearer token); Search matches an id prefix or a name.
type (
	// ListAdminTokens lists the live tokens. Answers []AdminTokenInfo.
	ListAdminTokens struct{}
	// GetAdminToken finds one token by exact ID, or by Search (an id
	// prefix or the exact name, case-insensitive). Answers AdminTokenInfo.
	GetAdminToken struct {
		ID     string `json:"id,omitempty"`
		Search string `json:"search,omitempty"`
	}
	// GetAdminTokenEntry reads a token by exact prefix for authentication.
	// Answers model.AdminToken; ErrNotFound if absent or deleted.
	GetAdminTokenEntry struct {
		Prefix string `json:"prefix"`
	}
	// CreateAdminToken stores a new token. Prefix and Hash are the
	// runtime's: it draws the secret and hashes it (Argon2id).
	CreateAdminToken struct {
		Prefix     string   `json:"prefix"`
		Hash       string   `json:"hash"`
		Name       string   `json:"name"`
		Expiration *uint64  `json:"expiration,omitempty"` // ms; nil: never
		Scope      []string `json:"scope"`
	}
	// UpdateAdminToken changes the given fields; NeverExpires clears the
	// expiration.
	UpdateAdminToken struct {
		ID           string    `json:"id"`
		Name         *string   `json:"name,omitempty"`
		Expiration   *uint64   `json:"expiration,omitempty"`
		NeverExpires bool      `json:"neverExpires,omitempty"`
		Scope        *[]string `json:"scope,omitempty"`
	}
	// DeleteAdminToken deletes a token for good.
	DeleteAdminToken struct {
		ID string `json:"id"`
	}
)

func (ListAdminTokens) OpName() string    { return "ListAdminTokens" }
func (GetAdminToken) OpName() string      { return "GetAdminToken" }
func (GetAdminTokenEntry) OpName() string { return "GetAdminTokenEntry" }
func (CreateAdminToken) OpName() string   { return "CreateAdminToken" }
func (UpdateAdminToken) OpName() string   { return "UpdateAdminToken" }
func (DeleteAdminToken) OpName() string   { return "DeleteAdminToken" }

// AdminTokenInfo describes a token (never its hash).
type AdminTokenInfo struct {
	ID         string   `json:"id"`
	Created    uint64   `json:"created"` // ms
	Name       string   `json:"name"`
	Expiration *uint64  `json:"expiration,omitempty"` // ms
	Expired    bool     `json:"expired"`
	Scope      []string `json:"scope"`
}

// submitTokens starts op if it is a token operation and reports whether it
// was.
func (s *Service) submitTokens(now cluster.Time, op any, done Done) bool {
	switch op := op.(type) {
	case ListAdminTokens:
		s.listAdminTokens(now, done)
	case GetAdminToken:
		s.resolveAdminToken(now, op, done, func(now cluster.Time, t model.AdminToken) { done(now, tokenInfo(t, now), nil) })
	case GetAdminTokenEntry:
		s.getAdminTokenEntry(now, op.Prefix, done, func(now cluster.Time, t model.AdminToken) { done(now, t, nil) })
	case CreateAdminToken:
		s.createAdminToken(now, op, done)
	case UpdateAdminToken:
		s.updateAdminToken(now, op, done)
	case DeleteAdminToken:
		s.getAdminTokenEntry(now, op.ID, done, func(now cluster.Time, t model.AdminToken) {
			s.tokens.Insert(now, model.AdminTokenKey(t.Prefix), model.AdminToken{Prefix: t.Prefix, Created: t.Created, Deleted: true},
				then(done, func(now cluster.Time) { done(now, tokenInfo(t, now), nil) }))
		})
	default:
		return false
	}
	return true
}

func tokenInfo(t model.AdminToken, now cluster.Time) AdminTokenInfo {
	info := AdminTokenInfo{ID: t.Prefix, Created: t.Created, Name: t.DisplayName(), Expired: t.Expired(now.Millis()), Scope: t.Scopes()}
	if exp, ok := t.ExpiresAt(); ok {
		info.Expiration = &exp
	}
	return info
}

func (s *Service) listAdminTokens(now cluster.Time, done Done) {
	readAll(now, s.tokens, func(now cluster.Time, items []table.Item[model.AdminToken], err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		out := []AdminTokenInfo{}
		for _, it := range items {
			if !it.Entry.Deleted {
				out = append(out, tokenInfo(it.Entry, now))
			}
		}
		done(now, out, nil)
	})
}

func (s *Service) getAdminTokenEntry(now cluster.Time, prefix string, done Done, next func(cluster.Time, model.AdminToken)) {
	if prefix == "" {
		done(now, nil, fmt.Errorf("%w: empty admin token id", ErrInvalid))
		return
	}
	s.tokens.Get(now, model.AdminTokenKey(prefix), func(now cluster.Time, t model.AdminToken, found bool, err error) {
		switch {
		case err != nil:
			done(now, nil, err)
		case !found || t.Deleted:
			done(now, nil, notFound("admin token", prefix))
		default:
			next(now, t)
		}
	})
}

// resolveAdminToken finds the token op names: by exact id, or the single
// one whose id starts with Search or whose name is Search.
func (s *Service) resolveAdminToken(now cluster.Time, op GetAdminToken, done Done, next func(cluster.Time, model.AdminToken)) {
	switch {
	case (op.ID == "") == (op.Search == ""):
		done(now, nil, fmt.Errorf("%w: give either id or search (not both)", ErrInvalid))
		return
	case op.ID != "":
		s.getAdminTokenEntry(now, op.ID, done, next)
		return
	}
	pat := strings.ToLower(op.Search)
	readAll(now, s.tokens, func(now cluster.Time, items []table.Item[model.AdminToken], err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		var matches []model.AdminToken
		for _, it := range items {
			t := it.Entry
			if !t.Deleted && (strings.HasPrefix(t.Prefix, pat) || strings.ToLower(t.DisplayName()) == pat) {
				matches = append(matches, t)
			}
		}
		switch len(matches) {
		case 0:
			done(now, nil, notFound("admin token", op.Search))
		case 1:
			next(now, matches[0])
		default:
			done(now, nil, fmt.Errorf("%w: %d admin tokens match %q", ErrAmbiguous, len(matches), op.Search))
		}
	})
}

func validScope(scope []string) error {
	for _, name := range scope {
		if err := model.ValidScopeName(name); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalid, err)
		}
	}
	return nil
}

func (s *Service) createAdminToken(now cluster.Time, op CreateAdminToken, done Done) {
	if err := model.ValidAdminTokenPrefix(op.Prefix); err != nil {
		done(now, nil, fmt.Errorf("%w: %v", ErrInvalid, err))
		return
	}
	if !strings.HasPrefix(op.Hash, "$argon2id$") {
		done(now, nil, fmt.Errorf("%w: the token's hash is not an Argon2id hash", ErrInvalid))
		return
	}
	if err := validScope(op.Scope); err != nil {
		done(now, nil, err)
		return
	}
	s.tokens.Get(now, model.AdminTokenKey(op.Prefix), func(now cluster.Time, _ model.AdminToken, found bool, err error) {
		switch {
		case err != nil:
			done(now, nil, err)
			return
		case found:
			done(now, nil, fmt.Errorf("%w: admin token %s already exists", ErrConflict, op.Prefix))
			return
		}
		stamp := s.stamp(now)
		t := model.AdminToken{Prefix: op.Prefix, Created: now.Millis(), Hash: op.Hash,
			Name: crdt.Put(stamp, []byte(op.Name)), Expiration: crdt.Put(stamp, model.EncodeExpiration(op.Expiration)),
			Scope: crdt.Put(stamp, model.EncodeScope(op.Scope))}
		s.tokens.Insert(now, model.AdminTokenKey(t.Prefix), t, then(done, func(now cluster.Time) { done(now, tokenInfo(t, now), nil) }))
	})
}

func (s *Service) updateAdminToken(now cluster.Time, op UpdateAdminToken, done Done) {
	if op.NeverExpires && op.Expiration != nil {
		done(now, nil, fmt.Errorf("%w: give either expiration or neverExpires, not both", ErrInvalid))
		return
	}
	if op.Scope != nil {
		if err := validScope(*op.Scope); err != nil {
			done(now, nil, err)
			return
		}
	}
	s.getAdminTokenEntry(now, op.ID, done, func(now cluster.Time, t model.AdminToken) {
		stamp := s.stamp(now, t.Name.Stamp, t.Expiration.Stamp, t.Scope.Stamp)
		if op.Name != nil {
			t.Name = crdt.Put(stamp, []byte(*op.Name))
		}
		if op.Expiration != nil || op.NeverExpires {
			t.Expiration = crdt.Put(stamp, model.EncodeExpiration(op.Expiration))
		}
		if op.Scope != nil {
			t.Scope = crdt.Put(stamp, model.EncodeScope(*op.Scope))
		}
		s.tokens.Insert(now, model.AdminTokenKey(t.Prefix), t, then(done, func(now cluster.Time) { done(now, tokenInfo(t, now), nil) }))
	})
}
