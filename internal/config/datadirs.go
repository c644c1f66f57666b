package config

import (
	"path/filepath"
	"slices"
)

// decodeDataDirs reads data_dir: a single path, or an array of tables
// {path, capacity, read_only}.
func decodeDataDirs(s *section) []DataDir {
	s.require("data_dir")
	v, ok := s.take("data_dir")
	if !ok {
		return nil
	}
	switch v := v.(type) {
	case string:
		if v == "" {
			s.fail("data_dir", "must not be empty")
			return nil
		}
		return []DataDir{{Path: v}}
	case []any:
		if len(v) == 0 {
			s.fail("data_dir", "must list at least one directory")
			return nil
		}
		return decodeDataDirList(s, v)
	default:
		s.fail("data_dir", "expected a path or an array of tables {path, capacity, read_only}, got %s", describeValue(v))
		return nil
	}
}

// decodeDataDirList reads the array form of data_dir, refusing a directory
// listed twice and a list none of which can take new blocks.
func decodeDataDirList(s *section, list []any) []DataDir {
	path := joinPath(s.path, "data_dir")
	var dirs []DataDir
	firstUse := map[string]string{} // cleaned directory -> element listing it
	for i, elem := range list {
		elemPath := indexPath(path, i)
		table, ok := elem.(map[string]any)
		if !ok {
			s.d.problems.add(s.d.origin(elemPath), "expected a table {path, capacity, read_only}, got %s", describeValue(elem))
			continue
		}
		dir, ok := decodeDataDir(s.d.section(elemPath, table))
		if !ok {
			continue
		}
		clean := filepath.Clean(dir.Path)
		if first, dup := firstUse[clean]; dup {
			s.d.problems.add(s.d.origin(joinPath(elemPath, "path")), "directory %q is already listed as %s", dir.Path, first)
			continue
		}
		firstUse[clean] = elemPath
		dirs = append(dirs, dir)
	}
	if len(dirs) > 0 && !slices.ContainsFunc(dirs, func(d DataDir) bool { return !d.ReadOnly }) {
		s.fail("data_dir", "every directory is read_only; at least one must accept new blocks")
	}
	return dirs
}

// decodeDataDir reads one {path, capacity, read_only} table; ok is false
// when it has no usable path.
func decodeDataDir(s *section) (dir DataDir, ok bool) {
	s.require("path")
	ok = s.str("path", &dir.Path)
	s.boolean("read_only", &dir.ReadOnly)
	capacity, hasCapacity := s.size("capacity")
	dir.Capacity = capacity
	switch {
	case dir.ReadOnly:
	case !s.has("capacity"):
		// Point at the table, as the option is not in the file.
		at := s.d.origin(s.path)
		at.option = joinPath(s.path, "capacity")
		s.d.problems.add(at, "required unless read_only = true")
	case hasCapacity && capacity == 0:
		s.fail("capacity", "must be greater than zero unless read_only = true")
	}
	s.finish()
	return dir, ok
}
