#!/bin/sh
# run.sh TARGET SECONDS CORPUS SEEDS DICT - runs one libFuzzer target for
# SECONDS: new inputs go to CORPUS (made if missing, kept between runs),
# SEEDS (tests/fuzz/data/seeds/NAME, read only) start it, DICT is its
# dictionary.  A crash leaves its reproducer in CORPUS/../crashes and
# fails.  Used by scripts/fuzz and the meson suite "fuzz".
set -eu
target=$1 seconds=$2 corpus=$3 seeds=$4 dict=$5
crashes=$(dirname "$corpus")/crashes
mkdir -p "$corpus" "$crashes"
[ -d "$seeds" ] || seeds=
exec "$target" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
  -dict="$dict" -artifact_prefix="$crashes/$(basename "$corpus")-" -print_final_stats=1 \
  "$corpus" $seeds
