# Sourced by the scripts: one build cache outside the checkout, so that a fresh clone
# (as CI makes) reuses earlier builds. Correctness never depends on it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/imprimatur/target}"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
