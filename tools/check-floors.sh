#!/usr/bin/env bash
# Installs every dependency at exactly the lowest version pyproject.toml allows,
# then builds the report and runs a fast set of tests with them: a floor that
# is declared but never tried says nothing (issue 18).
#   tools/check-floors.sh            uses build/floors-venv and build/floors-src
#   PYTHON=python3.11 FLOORS_DIR=/tmp/f tools/check-floors.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
DIR=${FLOORS_DIR:-$ROOT/build/floors}
VENV=$DIR/venv
SRC=$DIR/src
CONSTRAINTS=$DIR/constraints.txt
TESTS=${FLOORS_TESTS:-tests/core/test_config.py tests/sources/test_ingest.py tests/metrics/test_metrics.py tests/sources/test_penalties.py tests/workflow/test_dependencies.py}

rm -rf "$DIR"
mkdir -p "$DIR"
"$PYTHON" -m venv "$VENV"
BIN=$VENV/bin
"$BIN/python" -m pip install --quiet --upgrade pip packaging

# name==floor for every lower bound (exact pins stay as they are), the build
# backend's too. The floor is the lowest final release that satisfies the
# bound and has a wheel for this Python ("frictionless>=5" means 5.0.3: there
# is no 5.0.0). Caps on transitive packages, if any, are in tools/floors-caps.txt.
"$BIN/python" - "$ROOT/pyproject.toml" > "$CONSTRAINTS" <<'PY'
import re, subprocess, sys, tomllib
from packaging.requirements import Requirement
from packaging.version import Version

data = tomllib.load(open(sys.argv[1], "rb"))
project = data["project"]
specs = data["build-system"]["requires"] + project["dependencies"]
for extra in ("pipeline", "test"):
    specs += project["optional-dependencies"][extra]


def lowest(req):
    out = subprocess.run([sys.executable, "-m", "pip", "index", "versions", "--only-binary", ":all:", req.name],
                         capture_output=True, text=True, check=True).stdout
    listed = re.search(r"Available versions: (.*)", out).group(1).split(", ")
    ok = sorted(v for v in map(Version, listed) if not v.is_prerelease and req.specifier.contains(v))
    if not ok:
        sys.exit(f"pyproject.toml: no release of {req.name} satisfies {req.specifier}")
    return ok[0]


seen = {}
for spec in specs:
    req = Requirement(spec)
    if not any(s.operator in (">=", "==") for s in req.specifier):
        sys.exit(f"pyproject.toml: {spec!r} has no lower bound (>= or ==) to test")
    pinned = [s.version for s in req.specifier if s.operator == "=="]
    version = pinned[0] if pinned else lowest(req)
    seen[req.name.lower()] = f"{req.name}=={version}  # pyproject.toml: {spec}"
print("\n".join(seen[k] for k in sorted(seen)))
PY
EXTRA=
[ ! -f "$ROOT/tools/floors-caps.txt" ] || EXTRA=$ROOT/tools/floors-caps.txt
echo "== floors tested:"; cat "$CONSTRAINTS"

# Wheels where there are any: an old release built from source would test the
# machine's compiler, not the floor (some pure-Python packages, such as
# frictionless 5's stringcase, have only sdists).
"$BIN/python" -m pip install --quiet --prefer-binary -r "$CONSTRAINTS" ${EXTRA:+-c "$EXTRA"}
# The project itself, built with the floor setuptools in pip's isolated build
# environment (there it may have the newer packaging it needs, which the
# project's packaging floor would deny it in the venv itself).
grep '^setuptools==' "$CONSTRAINTS" > "$DIR/build-constraints.txt"
"$BIN/python" -m pip install --quiet --no-deps --build-constraint "$DIR/build-constraints.txt" -e "$ROOT"
"$BIN/python" -m pip freeze --exclude-editable > "$DIR/freeze.txt"
"$BIN/python" -m pip check

# A whole build in a scratch copy of the committed tree, as a user meets it.
rm -rf "$SRC"; mkdir -p "$SRC"
git -C "$ROOT" archive HEAD | tar -x -C "$SRC"
( cd "$SRC" && PATH="$BIN:$PATH" SOURCE_DATE_EPOCH=1796083200 TOMAS_RENDER_ENGINE=builtin \
    "$BIN/snakemake" )
ls -l "$SRC"/report/_output/

# Tests import the editable install (the worktree's src), with the floor packages.
( cd "$ROOT" && PATH="$BIN:$PATH" "$BIN/python" -m pytest -q -p no:cacheprovider $TESTS )
echo "== all floors work"
