package config

import (
	"net/netip"

	"github.com/garagego/garage/internal/logging"
)

// Each API section, when present, enables that endpoint; its bind address
// defaults to the conventional port on every interface.

func decodeS3API(s *section) *S3API {
	api := &S3API{APIBindAddr: DefaultS3APIBindAddr, S3Region: DefaultS3Region}
	s.bindAddr("api_bind_addr", &api.APIBindAddr)
	s.str("s3_region", &api.S3Region)
	s.str("root_domain", &api.RootDomain)
	s.seconds("header_timeout_secs", &api.HeaderTimeout)
	s.seconds("body_timeout_secs", &api.BodyTimeout)
	s.seconds("request_timeout_secs", &api.RequestTimeout)
	s.seconds("idle_timeout_secs", &api.IdleTimeout)
	if key, from, _ := s.secret("sse_master_key", EnvSSEMasterKey); key != "" {
		api.SSEMasterKey = new([32]byte)
		if err := decodeKey(key, api.SSEMasterKey); err != nil {
			s.d.problems.add(from, "%v (generate one with `openssl rand -hex 32`)", err)
			api.SSEMasterKey = nil
		}
	}
	s.boolean("allow_sse_c_over_http", &api.AllowSSECOverHTTP)
	api.TrustedProxies = decodePrefixes(s, "trusted_proxies")
	s.finish()
	return api
}

// decodePrefixes reads an array of IP addresses and CIDR ranges.
func decodePrefixes(s *section, key string) []netip.Prefix {
	v, ok := s.take(key)
	if !ok {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		s.fail(key, "expected an array of IP addresses or CIDR ranges, got %s", describeValue(v))
		return nil
	}
	var out []netip.Prefix
	for i, elem := range list {
		at := s.d.origin(indexPath(joinPath(s.path, key), i))
		text, ok := elem.(string)
		if !ok {
			s.d.problems.add(at, "expected an IP address or CIDR range, got %s", describeValue(elem))
			continue
		}
		p, err := netip.ParsePrefix(text)
		if err != nil {
			a, aerr := netip.ParseAddr(text)
			if aerr != nil {
				s.d.problems.add(at, "%q is not an IP address or CIDR range", text)
				continue
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out
}

func decodeS3Web(s *section) *S3Web {
	web := &S3Web{BindAddr: DefaultS3WebBindAddr, Index: DefaultWebIndex}
	s.bindAddr("bind_addr", &web.BindAddr)
	s.require("root_domain")
	s.str("root_domain", &web.RootDomain)
	s.str("index", &web.Index)
	s.boolean("add_host_to_metrics", &web.AddHostToMetrics)
	s.finish()
	return web
}

func decodeK2VAPI(s *section) *K2VAPI {
	api := &K2VAPI{APIBindAddr: DefaultK2VAPIBindAddr}
	s.bindAddr("api_bind_addr", &api.APIBindAddr)
	s.finish()
	return api
}

func decodeAdmin(s *section) *Admin {
	admin := &Admin{APIBindAddr: DefaultAdminBindAddr}
	s.bindAddr("api_bind_addr", &admin.APIBindAddr)
	admin.AdminToken, _, _ = s.secret("admin_token", EnvAdminToken)
	admin.MetricsToken, _, _ = s.secret("metrics_token", EnvMetricsToken)
	s.boolean("metrics_require_token", &admin.MetricsRequireToken)
	s.str("trace_sink", &admin.TraceSink)
	s.finish()
	return admin
}

func decodeLog(s *section) Log {
	var l Log
	if s.str("level", &l.Level) {
		if _, err := logging.ParseLevel(l.Level); err != nil {
			s.fail("level", "%v", err)
			l.Level = ""
		}
	}
	s.finish()
	return l
}
