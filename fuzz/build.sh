#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script: every fuzz target of cmake/fuzz.cmake into $OUT/<name>,
# with its seed corpus as $OUT/<name>_seed_corpus.zip and its dictionary as $OUT/<name>.dict.
# Uses the builder's $CXX, $CXXFLAGS (sanitizer and coverage flags) and $LIB_FUZZING_ENGINE; the
# repository is $SRC/bulwark, or wherever this script lives. Needs cmake (>= 3.16) and zip.
#
# Try it outside OSS-Fuzz:
#   SRC=/tmp OUT=/tmp/out CXX=clang++-14 CXXFLAGS="-fsanitize=address,fuzzer-no-link -g -O1" \
#     LIB_FUZZING_ENGINE=-fsanitize=fuzzer fuzz/build.sh
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${WORK:-$repo/build}/fuzz-ossfuzz"

# cmake takes $CXXFLAGS from the environment for CMAKE_CXX_FLAGS (compile and link).
cmake -S "$repo/fuzz" -B "$work" -DBULWARK_FUZZ_ENGINE=ossfuzz -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_BUILD_TYPE= -DCMAKE_VERBOSE_MAKEFILE=OFF
cmake --build "$work" -j "$(nproc)"

mkdir -p "$OUT"
while IFS=$'\t' read -r name binary _harness _sources; do
  [[ "$name" == \#* || -z "$name" ]] && continue
  cp "$binary" "$OUT/$name"
  corpus="$repo/fuzz/corpus/$name"
  rm -f "$OUT/${name}_seed_corpus.zip"
  if [[ -d "$corpus" ]] && [[ -n "$(ls -A "$corpus")" ]]; then
    (cd "$corpus" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
  fi
  if [[ -f "$repo/fuzz/dict/$name.dict" ]]; then
    cp "$repo/fuzz/dict/$name.dict" "$OUT/$name.dict"
  fi
  echo "build.sh: $OUT/$name"
done < "$work/fuzz/targets.tsv"
