#!/usr/bin/env bash
# Builds the embedded FerretDB v1 into $1, with one fix applied at build time through `go build -overlay`
# (no copy of FerretDB's sources in this repository):
#
#   FerretDB v1's SQLite backend looks documents up by `_ferretdb_sjson->'$._id'`, but indexes `_id` as
#   `_ferretdb_sjson->"_id"`. SQLite matches an index to a WHERE clause only when the expressions are written
#   the same, so every `{_id: …}` find, update and delete scanned the whole table (0.45 s per lookup at 100,000
#   documents, measured) although the unique index exists. The same mismatch on the PostgreSQL backend is
#   FerretDB issue 4646. Writing the lookup as `->'_id'` (the same JSON path for SQLite's `->`) lets SQLite
#   search the index: results are identical, lookups no longer grow with the collection. See
#   docs/adr/0010-flat-cost.md.
#
# FERRETDB_STOCK=1 builds FerretDB unchanged (for before/after measurements).
set -euo pipefail
out="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
export CGO_ENABLED=0
if [ "${FERRETDB_STOCK:-0}" = "1" ]; then
  exec go build -trimpath -o "$out" .
fi
go mod download github.com/FerretDB/FerretDB
src="$(go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)"
# Go refuses to build a changed file inside its module cache, so the module is copied, fixed and put in its place
# with a `replace` in a temporary copy of go.mod (-modfile): the repository's go.mod stays as it is.
work="$(mktemp -d)"
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cp -r "$src" "$work/FerretDB"
chmod -R u+w "$work/FerretDB"
metadata="$work/FerretDB/internal/backends/sqlite/metadata/metadata.go"
sed -i "s|IDColumn = DefaultColumn + \"->'\\$._id'\"|IDColumn = DefaultColumn + \"->'_id'\"|" "$metadata"
if ! grep -q "IDColumn = DefaultColumn + \"->'_id'\"" "$metadata"; then
  echo "build.sh: FerretDB's metadata.go no longer has the line this fix rewrites; check the fix against the new version" >&2
  exit 1
fi
cp go.mod "$work/go.mod"
cp go.sum "$work/go.sum"
go mod edit -modfile="$work/go.mod" -replace "github.com/FerretDB/FerretDB=$work/FerretDB"
go build -trimpath -modfile="$work/go.mod" -o "$out" .
