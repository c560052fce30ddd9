#!/usr/bin/env bash
# Build one self-contained bundle of a committed revision (docs/INSTALL.md):
#   installer/build-bundle.sh station|server [OUT]
# OUT (default build/bundles) gets:
#   dist/prep-PROGRAM/               the bundle folder (runs without Python)
#   prep-PROGRAM-VERSION.sha256      the release manifest: code hash, every file's SHA-256
#   prep-abierto-PROGRAM_VERSION_amd64.deb
# Builds `git archive` of PREP_COMMIT (default HEAD): uncommitted changes are not built.
# PREP_PYTHON: the Python with the [bundle] extra (default .venv/bin/python).
set -euo pipefail
PROGRAM=${1:-}
case "$PROGRAM" in station|server) ;; *) echo "usage: $0 station|server [OUT]" >&2; exit 2 ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(realpath -m "${2:-$ROOT/build/bundles}")
PY=${PREP_PYTHON:-$ROOT/.venv/bin/python}
REV=$(git -C "$ROOT" rev-parse "${PREP_COMMIT:-HEAD}")
WORK="$OUT/work-$PROGRAM"
rm -rf "$WORK" && mkdir -p "$WORK/src"
git -C "$ROOT" archive "$REV" | tar -x -C "$WORK/src"
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$WORK/src/pyproject.toml")

# reproducible: file times from the commit, a fixed hash seed (set iteration order)
export SOURCE_DATE_EPOCH=$(git -C "$ROOT" log -1 --format=%ct "$REV")
export PYTHONHASHSEED=0 PREP_BUNDLE=$PROGRAM PREP_SOURCE="$WORK/src"
start=$(date +%s)
(cd "$WORK" && "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$OUT/dist" --workpath "$WORK/build" "$WORK/src/installer/bundle/prep.spec")
B="$OUT/dist/prep-$PROGRAM"
ln -sfn "prep-$PROGRAM" "$B/prep"  # `prep integrity` and the other admin commands
find "$B" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
echo "built $B in $(( $(date +%s) - start )) s, $(du -sh "$B" | cut -f1)"

MANIFEST="$OUT/prep-$PROGRAM-$VERSION.sha256"
{
  echo "# bundle: prep-$PROGRAM $VERSION"
  echo "# commit: $REV"
  PYTHONPATH="$WORK/src" "$PY" -c 'from prep_cli.main import main; raise SystemExit(main())' \
    integrity --list --bundle "$B"
} > "$MANIFEST"
echo "manifest $MANIFEST ($(grep -vc '^#' "$MANIFEST") files, $(grep 'code hash' "$MANIFEST"))"

"$WORK/src/installer/build-deb.sh" "$PROGRAM" "$B" "$MANIFEST" "$VERSION" "$OUT"
