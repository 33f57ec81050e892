#!/usr/bin/env bash
# `npm run test:native`: the native storage core's C++ tests, three ways:
#   1. build-native-test/  RelWithDebInfo, ctest
#   2. build-native-asan/  clang++-14 (or g++) with ASan + UBSan, ctest
#   3. build-native-gyp/   node-gyp build of binding.gyp in a copy of the sources, then a load check,
#      so that CI proves the node-gyp build and the cmake-js build (npm install) compile the same code.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
jobs="$(nproc 2>/dev/null || echo 2)"

echo "== native tests (RelWithDebInfo)"
cmake -S . -B build-native-test -DSLUICE_NATIVE_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build-native-test -j "$jobs" > /dev/null
(cd build-native-test && ctest --output-on-failure)

echo "== native tests (ASan + UBSan)"
asan_cxx="$(command -v clang++-14 || command -v clang++ || command -v g++)"
CXX="$asan_cxx" cmake -S . -B build-native-asan -DSLUICE_NATIVE_TESTS=ON -DSLUICE_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=Debug > /dev/null
cmake --build build-native-asan -j "$jobs" > /dev/null
(cd build-native-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure)

echo "== node-gyp build of binding.gyp"
node_gyp="${npm_config_node_gyp:-$(npm root -g 2>/dev/null)/npm/node_modules/node-gyp/bin/node-gyp.js}"
gyp_dir="$root/build-native-gyp"
rm -rf "$gyp_dir" && mkdir -p "$gyp_dir"
cp -r binding.gyp native "$gyp_dir/"
ln -s "$root/node_modules" "$gyp_dir/node_modules"
# Build against the installed Node's own headers when present (no download needed).
node_prefix="$(dirname "$(dirname "$(command -v node)")")"
nodedir_arg=()
[[ -f "$node_prefix/include/node/node_api.h" ]] && nodedir_arg=(--nodedir="$node_prefix")
node "$node_gyp" rebuild "${nodedir_arg[@]}" --directory "$gyp_dir" --jobs "$jobs" > "$gyp_dir.log" 2>&1 \
  || { tail -40 "$gyp_dir.log"; exit 1; }
node -e "
  const addon = require('$gyp_dir/build/Release/sluice_native.node')
  if (addon.crc32c(Buffer.from('123456789'), 0) !== 0xe3069283) throw new Error('node-gyp addon: crc32c is wrong')
  console.log('node-gyp addon loads and computes crc32c correctly')
"
