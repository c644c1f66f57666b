package config

import (
	"os"
	"strconv"
	"strings"
)

// Environment variables read by the loader.
const (
	EnvRPCSecret                 = "GARAGE_RPC_SECRET"
	EnvAdminToken                = "GARAGE_ADMIN_TOKEN"
	EnvMetricsToken              = "GARAGE_METRICS_TOKEN"
	EnvSSEMasterKey              = "GARAGE_SSE_MASTER_KEY"
	EnvAllowWorldReadableSecrets = "GARAGE_ALLOW_WORLD_READABLE_SECRETS"
	// The suffixes turn a secret's variable or option into the one naming a
	// file that holds it: GARAGE_RPC_SECRET_FILE, rpc_secret_file.
	envFileSuffix    = "_FILE"
	optionFileSuffix = "_file"
)

// env returns an environment variable; set to the empty string counts as
// unset, as container tooling often defines variables it has no value for.
func (d *decoder) env(name string) (string, bool) {
	v, ok := d.lookupEnv(name)
	return v, ok && v != ""
}

// settleWorldReadable decides, before any secret file is read, whether
// secret files may be readable by group or others: the environment variable
// overrides the option.
func (d *decoder) settleWorldReadable(fromFile bool) bool {
	d.allowWorldReadable = fromFile
	if v, ok := d.env(EnvAllowWorldReadableSecrets); ok {
		allow, err := strconv.ParseBool(v)
		if err != nil {
			d.problems.add(origin{option: EnvAllowWorldReadableSecrets, env: true}, "expected true or false, got %q", v)
		} else {
			d.allowWorldReadable = allow
		}
	}
	return d.allowWorldReadable
}

// secret resolves the secret option key of s, in order of precedence from
// the environment variable envVar, the file named by envVar_FILE, the option
// key itself or the file named by key_file. It returns the secret with
// surrounding whitespace trimmed and where it came from, for errors about
// its content. given reports whether any of the four was set; value is
// empty when given is false or the secret could not be obtained, which has
// been reported. A file setting both key and key_file is refused even when
// the environment overrides them, as it is ambiguous on its own.
func (s *section) secret(key, envVar string) (value string, from origin, given bool) {
	fileKey := key + optionFileSuffix
	envFileVar := envVar + envFileSuffix
	var inline, file string
	hasInline := s.str(key, &inline)
	hasFile := s.str(fileKey, &file)
	if hasInline && hasFile {
		s.fail(fileKey, "set either %s or %s, not both", key, fileKey)
	}
	envValue, hasEnv := s.d.env(envVar)
	envFile, hasEnvFile := s.d.env(envFileVar)
	given = hasEnv || hasEnvFile || s.has(key) || s.has(fileKey)
	switch {
	case hasEnv && hasEnvFile:
		s.d.problems.add(origin{option: envFileVar, env: true}, "set either %s or %s, not both", envVar, envFileVar)
	case hasEnv:
		return s.d.notBlank(envValue, origin{option: envVar, env: true})
	case hasEnvFile:
		value, from = s.d.readSecretFile(origin{option: envFileVar, env: true}, envFile)
		return value, from, true
	case hasInline && hasFile:
	case hasInline:
		return s.d.notBlank(inline, s.at(key))
	case hasFile:
		value, from = s.d.readSecretFile(s.at(fileKey), file)
		return value, from, true
	}
	return "", origin{}, given
}

// notBlank trims a secret given directly, refusing one made of whitespace
// only, which would otherwise quietly disable a token.
func (d *decoder) notBlank(value string, from origin) (string, origin, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		d.problems.add(from, "is blank")
	}
	return value, from, true
}

// readSecretFile reads a secret from path, which o names, refusing a file
// others could read unless that was explicitly allowed. On failure it
// reports the problem and returns an empty secret.
func (d *decoder) readSecretFile(o origin, path string) (string, origin) {
	info, err := os.Stat(path)
	if err != nil {
		d.problems.add(o, "cannot read secret file: %v", err)
		return "", origin{}
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 && !d.allowWorldReadable {
		d.problems.add(o, "secret file %s is readable by group or others (mode %04o); "+
			"run `chmod 600 %s`, or set allow_world_readable_secrets = true or %s=true if that is intended",
			path, perm, path, EnvAllowWorldReadableSecrets)
		return "", origin{}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		d.problems.add(o, "cannot read secret file: %v", err)
		return "", origin{}
	}
	o.file = path
	value := strings.TrimSpace(string(data))
	if value == "" {
		d.problems.add(o, "secret file is empty")
		return "", origin{}
	}
	return value, o
}
