#!/usr/bin/env bash
# Profile-guided optimisation: builds pintae instrumented, trains it on the
# project's own fixtures, then builds or benchmarks with the profile.
#
#   scripts/pgo.sh build            # the binary: target/pgo/release/pintae
#   scripts/pgo.sh bench validate   # a criterion benchmark (validate, convert, memory)
#
# The training set is the project's fixtures only (the Taxstar and Evatra
# converter fixtures, converted and then checked many times; the bundled
# example invoice), never the official examples that the benchmarks
# measure. Every build here is workspace-wide with the examples (so with
# the dev-dependencies): a profile only fits code compiled with the same
# features, and a build of one package alone would unify them differently.
# The profile (target/pgo/pintae.profdata) is made again on every call: it
# belongs to one state of the code and one compiler. Needs rustup's
# llvm-tools, which the script installs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
case "${1:-}" in
    build) final=(build --release --workspace --examples --bins) ;;
    bench) [ -n "${2:-}" ] || { echo "usage: scripts/pgo.sh bench NAME" >&2; exit 2; }
           final=(bench --workspace --bench "$2") ;;
    *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

rustup component add llvm-tools >/dev/null 2>&1 || true
sysroot=$(rustc --print sysroot)
host=$(rustc -vV | sed -n 's/^host: //p')
profdata="$sysroot/lib/rustlib/$host/bin/llvm-profdata"
if [ ! -x "$profdata" ]; then
    echo "pgo.sh: llvm-profdata not found at $profdata (rustup component add llvm-tools)" >&2
    exit 1
fi

# RUSTFLAGS replaces the project's build.rustflags (.cargo/config.toml):
# both builds repeat them so that the profile fits the code measured
base_flags="-Cllvm-args=-inline-threshold=1000"

raw="$root/target/pgo-raw"
out="$root/target/pgo"
rm -rf "$raw"
mkdir -p "$raw" "$out"

echo "pgo.sh: building the instrumented binaries" >&2
CARGO_TARGET_DIR="$root/target/pgo-gen" RUSTFLAGS="$base_flags -Cprofile-generate=$raw" \
    cargo build --release -q --workspace --examples --bins
gen="$root/target/pgo-gen/release"

echo "pgo.sh: training" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
entities=testdata/convert/entities.json
# the CLI's own paths: batches, both platforms, reports, validation (exit
# codes say that some fixtures are invalid, as they are meant to be)
"$gen/pintae" convert --from taxstar --entities "$entities" -o "$work/taxstar" \
    testdata/convert/taxstar >/dev/null 2>&1 || true
"$gen/pintae" convert --from evatra -o "$work/evatra" testdata/convert/evatra >/dev/null 2>&1 || true
"$gen/pintae" convert --from evatra --format json -o "$work/evatra-json" testdata/convert/evatra \
    >/dev/null 2>&1 || true
"$gen/pintae" validate "$work/taxstar" "$work/evatra" testdata/examples >/dev/null 2>&1 || true
"$gen/pintae" validate --format json "$work/taxstar" >/dev/null 2>&1 || true
# the steady state, which must outweigh compiling the rules once per
# process: checking each converted invoice many times, and converting each
# Taxstar fixture many times (a few of them checked too)
for f in "$work"/taxstar/*.xml "$work"/evatra/*.xml testdata/examples/*.xml; do
    "$gen/examples/validate_time" "$f" 300 >/dev/null
done
for f in testdata/convert/taxstar/valid/*.json testdata/convert/taxstar/invalid/*.json; do
    "$gen/examples/convert_time" "$entities" "$f" 300 >/dev/null
done
for f in testdata/convert/taxstar/valid/*.json; do
    "$gen/examples/convert_time" "$entities" "$f" 30 --check >/dev/null
done

ls "$raw"/*.profraw >/dev/null
"$profdata" merge -o "$out/pintae.profdata" "$raw"/*.profraw
echo "pgo.sh: profile $out/pintae.profdata; running cargo ${final[*]}" >&2

# criterion writes where the benchmarks read their own figures back
CARGO_TARGET_DIR="$out" CRITERION_HOME="$root/target/criterion" \
    RUSTFLAGS="$base_flags -Cprofile-use=$out/pintae.profdata" cargo "${final[@]}"
