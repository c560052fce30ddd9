#!/usr/bin/env bash
# Every benchmark of benchmarks/RESULTS.md, each on the data it names.
#
#   PREP_SHARED=/path/to/shared bash benchmarks/run_all.sh [WORK_DIR]
#
# PREP_SHARED holds handwriting/ (the evaluation deck's writers) and forms/; the
# recognition figures are only comparable with it. Decks are generated into WORK_DIR
# (default /tmp/prep-bench) when absent. Run from a checkout with the `dev` extra
# installed (.venv/bin/prep). Takes about 100 minutes on 2 cores (the decks of the
# scanning conditions and the simulacro are most of it).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PREP=${PREP:-.venv/bin/prep}
WORK=${1:-/tmp/prep-bench}
mkdir -p "$WORK"
if [ -z "${PREP_SHARED:-}" ] || [ ! -d "$PREP_SHARED/handwriting" ]; then
  echo "falta PREP_SHARED con handwriting/ / PREP_SHARED with handwriting/ is missing" >&2
  exit 2
fi

echo "==> prep figures on 170,648 actas (synthetic catalog, seed 2024, simulated night)"
"$PREP" bench figures --casillas 170648 --repeat 5

echo "==> publication: one cut of 170,648 actas, its site (synthetic catalog, simulated night)"
"$PY" -m prep_tools.bench.publication 170648

echo "==> the public site under load: nginx + wrk while cuts are published (BCS demo catalog)"
"$PY" -m prep_tools.bench.serve 1114 10

echo "==> ingest: 170,648 casillas, DIP_LOC, simulated night (8 CATD + 4 CCV)"
"$PREP" bench ingest --casillas 170648 --elections DIP_LOC

echo "==> recognition: evaluation deck, 1,000 actas, seed 20240602, 200 dpi"
"$PREP" bench ocr "$WORK/prep-ocr-deck-20240602-1000" --n 1000 --seed 20240602 --dpi 200 \
  --tess-limit 200 --workers 1

echo "==> identity: neighbours' labels and mistyped keys, 1,000 actas, seed 20241206, eval writers"
"$PREP" bench identity "$WORK/prep-identity-deck-eval-20241206-1000" --n 1000 --seed 20241206 \
  --split eval --workers 2

echo "==> recognition per scanning condition: 100 actas each (bad scans 50), seed 20240602"
"$PREP" bench ocr "$WORK/prep-ocr-conditions-100" --conditions 100 --seed 20240602

echo "==> recognition per scanning condition, the latest figures: 300 actas each (bad scans 150), seed 20261220"
"$PREP" bench ocr "$WORK/prep-ocr-conditions-20261220-300" --conditions 300 --seed 20261220

echo "==> capture station pipeline at 300 dpi colour: the conditions bench's deck"
"$PY" -m prep_tools.bench.pipeline "$WORK/prep-ocr-conditions-100/300dpi-colour"

echo "==> capture station pipeline: 199-page deck of every template, seed 7"
[ -f "$WORK/pipeline-deck/manifest.jsonl" ] || \
  "$PY" -m prep_tools.decks.deck "$WORK/pipeline-deck" --n 199 --seed 7 --workers 2
"$PY" -m prep_tools.bench.pipeline "$WORK/pipeline-deck"

echo "==> CCV work list: 10,000 casillas, 10 requests"
"$PY" -m prep_tools.bench.work --casillas 10000 --repeat 10

echo "==> simulacro: BCS demo catalog (1,114 casillas, 2 elections), every fault"
rm -rf "$WORK/simulacro-bcs"
"$PREP" simulacro --out "$WORK/simulacro-bcs" --casillas 1114 --catd 6 --ccv 2 --faults all \
  --speed 3 --cut-every 30 --paper "$WORK/simulacro-bcs-papel"
