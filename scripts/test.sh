#!/usr/bin/env bash
# Installs what is missing and runs every check and test: formatting, lints, UI type
# check and unit tests, Rust tests, the revision-store benchmark, and the end-to-end
# test of the real app window under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/setup.sh

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "UI: svelte-check, unit tests, build"
(cd ui && npm run check && npm test && npm run build)

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy -D warnings"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "Rust tests (store, workspace, CLI, generated TypeScript bindings)"
cargo test --locked --workspace --exclude imprimatur-e2e

# Benchmarks build with the dev profile, whose compute-heavy crates are optimised (see
# Cargo.toml): they reuse the test build instead of compiling every dependency again.
step "benchmark: revision store"
cargo bench --locked --profile dev -p imprimatur-store --bench revisions

# The comparison installs the yoastseo peer once into ~/.cache/imprimatur/yoast (npm) and
# skips it with a message when node is missing; it fails below 90 % rating agreement.
step "SEO: agreement with yoastseo on the corpus, then the benchmark (2,000-word German article)"
cargo run --locked --profile dev -p imprimatur-seo --bin seo-compare -- --min-agreement 90
cargo bench --locked --profile dev -p imprimatur-seo --bench seo

# Prints passed/total per Vale feature file (fails only below the committed floors),
# then the style benchmark with Yoast's run.mjs as a reference on the same text.
step "style: Vale compatibility table, then the benchmark (2,000-word German article)"
cargo test --locked -p imprimatur-style --test compat -- --nocapture vale_feature_scenarios
cargo bench --locked --profile dev -p imprimatur-style --bench style

step "end-to-end: the app window through tauri-driver and WebKitWebDriver under Xvfb"
cargo build --locked -p imprimatur-app
export IMPRIMATUR_APP_BIN="$CARGO_TARGET_DIR/debug/imprimatur-app"
xvfb-run -a -s "-screen 0 1400x900x24" cargo test --locked -p imprimatur-e2e -- --nocapture --test-threads=1
