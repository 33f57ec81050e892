#!/usr/bin/env bash
# `npm run fuzz`: builds the libFuzzer targets (clang++-14, ASan + UBSan) in build-native-fuzz/ and
# runs each for FUZZ_SECONDS (default 60), both at once (one per core). Corpora persist in
# build-native-fuzz/corpus-<target>/ between runs; crashes are written to build-native-fuzz/.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/build-native-fuzz"
seconds="${FUZZ_SECONDS:-60}"
cxx="${FUZZ_CXX:-clang++-14}"
mkdir -p "$out"
core_sources=()
while read -r src; do
  [[ -n "$src" && "$src" != *addon.cc ]] && core_sources+=("$root/$src")
done < "$root/native/sources.txt"
pids=()
for target in fuzz_batch fuzz_recovery; do
  "$cxx" -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I "$root/native" "$root/native/test/$target.cc" "${core_sources[@]}" -o "$out/$target"
  mkdir -p "$out/corpus-$target"
  (cd "$out" && "./$target" -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 \
     "corpus-$target" > "$target.out" 2>&1) &
  pids+=($!)
done
status=0
for i in "${!pids[@]}"; do
  target=$([[ $i == 0 ]] && echo fuzz_batch || echo fuzz_recovery)
  if wait "${pids[$i]}"; then
    echo "$target: no crash in ${seconds}s ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$target.out" | grep -o '[0-9]*$') runs)"
  else
    echo "$target: FAILED, see $out/$target.out"; tail -40 "$out/$target.out"; status=1
  fi
done
exit $status
