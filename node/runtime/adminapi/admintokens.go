package adminapi

import "github.com/garagego/garage/node/admin"

// Names Garage gives the tokens of the daemon's configuration.
const (
	configAdminTokenName   = "admin_token (from daemon configuration)"
	configMetricsTokenName = "metrics_token (from daemon configuration)"
)

func tokenResponse(t admin.AdminTokenInfo) GetAdminTokenInfoResponse {
	out := GetAdminTokenInfoResponse{ID: ptr(t.ID), Created: ptr(msTime(t.Created)), Name: t.Name, Expired: t.Expired, Scope: t.Scope}
	if t.Expiration != nil {
		out.Expiration = ptr(msTime(*t.Expiration))
	}
	if out.Scope == nil {
		out.Scope = []string{}
	}
	return out
}

func configToken(name string, scope ...string) GetAdminTokenInfoResponse {
	return GetAdminTokenInfoResponse{Name: name, Scope: scope}
}

func listAdminTokens(rq *request) (any, error) {
	res, err := rq.run(admin.ListAdminTokens{})
	if err != nil {
		return nil, coreError(err, codeNoSuchAdminToken, false)
	}
	out := []GetAdminTokenInfoResponse{}
	if rq.api.cfg.AdminToken != "" {
		out = append(out, configToken(configAdminTokenName, "*"))
	}
	if rq.api.cfg.MetricsToken != "" {
		out = append(out, configToken(configMetricsTokenName, "Metrics"))
	}
	for _, t := range res.([]admin.AdminTokenInfo) {
		out = append(out, tokenResponse(t))
	}
	return out, nil
}

func getAdminTokenInfo(rq *request) (any, error) {
	id, err := rq.param("id")
	if err != nil {
		return nil, err
	}
	search, err := rq.param("search")
	if err != nil {
		return nil, err
	}
	if (id == "") == (search == "") {
		return nil, badRequest("Either id or search must be provided (but not both)")
	}
	res, err := rq.run(admin.GetAdminToken{ID: id, Search: search})
	if err != nil {
		return nil, coreError(err, codeNoSuchAdminToken, false)
	}
	return tokenResponse(res.(admin.AdminTokenInfo)), nil
}

// getCurrentAdminTokenInfo describes the token the request came with.
func getCurrentAdminTokenInfo(rq *request) (any, error) {
	if rq.token == nil {
		return configToken(configAdminTokenName, "*"), nil
	}
	res, err := rq.run(admin.GetAdminToken{ID: rq.token.Prefix})
	if err != nil {
		return nil, coreError(err, codeNoSuchAdminToken, false)
	}
	return tokenResponse(res.(admin.AdminTokenInfo)), nil
}

func expirationMillis(body UpdateAdminTokenRequestBody) (*uint64, error) {
	if body.NeverExpires && body.Expiration != nil {
		return nil, badRequest("cannot specify `expiration` and `neverExpires`")
	}
	if body.Expiration == nil {
		return nil, nil
	}
	ms := body.Expiration.UnixMilli()
	if ms < 0 {
		return nil, badRequest("expiration: before 1970")
	}
	return ptr(uint64(ms)), nil
}

func createAdminToken(rq *request) (any, error) {
	var body UpdateAdminTokenRequestBody
	if err := rq.decode(&body); err != nil {
		return nil, err
	}
	exp, err := expirationMillis(body)
	if err != nil {
		return nil, err
	}
	op := admin.CreateAdminToken{Expiration: exp, Scope: []string{"*"}}
	if body.Name != nil {
		op.Name = *body.Name
	} else {
		op.Name = "token_" + rq.api.cfg.Now().UTC().Format("20060102_1504")
	}
	if body.Scope != nil {
		op.Scope = *body.Scope
	}
	var secret string
	op.Prefix, secret, op.Hash = NewAdminToken()
	res, err := rq.run(op)
	if err != nil {
		return nil, coreError(err, codeNoSuchAdminToken, false)
	}
	return CreateAdminTokenResponse{SecretToken: secret, GetAdminTokenInfoResponse: tokenResponse(res.(admin.AdminTokenInfo))}, nil
}

func updateAdminToken(rq *request) (any, error) {
	id, err := rq.required("id")
	if err != nil {
		return nil, err
	}
	var body UpdateAdminTokenRequestBody
	if err := rq.decode(&body); err != nil {
		return nil, err
	}
	exp, err := expirationMillis(body)
	if err != nil {
		return nil, err
	}
	res, err := rq.run(admin.UpdateAdminToken{ID: id, Name: body.Name, Expiration: exp, NeverExpires: body.NeverExpires, Scope: body.Scope})
	if err != nil {
		return nil, coreError(err, codeNoSuchAdminToken, false)
	}
	return tokenResponse(res.(admin.AdminTokenInfo)), nil
}

func deleteAdminToken(rq *request) (any, error) {
	id, err := rq.required("id")
	if err != nil {
		return nil, err
	}
	if _, err := rq.run(admin.DeleteAdminToken{ID: id}); err != nil {
		return nil, coreError(err, codeNoSuchAdminToken, false)
	}
	return nil, nil
}
