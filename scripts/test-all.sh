#!/usr/bin/env bash
# THE test command (`npm test`, and CI via .ci/run). On a fresh Debian machine it does
# everything: system packages, npm dependencies, code-server, then every test layer in order.
# Fails fast: the first failing layer stops the run; a summary of all layers is printed at the end
# and the exit code is non-zero when any layer failed.
#
# Environment: R1CI_FORCE_NPM_CI=1 always runs `npm ci` (otherwise only when node_modules is
# missing or package-lock.json changed since the last `npm ci` done here).
set -uo pipefail
cd "$(dirname "$0")/.."

# The tests read benchmark samples, cases and conformance corpora from a `shared` folder beside the
# repository (or $R1CI_SHARED_DIR). Say once, before any set-up, when it is not there; the same
# check and message live in test/support/sharedTasks.ts for runs that do not start here.
check_shared_data() {
  local dir=${R1CI_SHARED_DIR:-../shared}
  local tasks=${R1CI_TASKS_DIR:-$dir/tasks/dataset_gather}
  local missing=""
  if [ ! -d "$dir" ]; then missing=$dir; elif [ ! -d "$tasks" ]; then missing=$tasks; fi
  [ -z "$missing" ] && return 0
  echo "The shared reference data is missing: $(realpath -m "$missing") does not exist." >&2
  echo "The tests read benchmark samples (tasks/), cases (cases/) and conformance corpora (conformance/) from a folder named \"shared\" beside the repository. Put it there, or set R1CI_SHARED_DIR to its path." >&2
  return 1
}

check_shared_data || exit 1

log_dir=".test-runs/test-all-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$log_dir"
layers=()
results=()
failures=()
overall=0
total_passed=0
total_failed=0
started_all=$(date +%s)

# npm ci when node_modules is missing or was installed from a different package-lock.json.
npm_ci_if_needed() {
  local stamp=node_modules/.r1ci-package-lock.sha256
  local want
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ "${R1CI_FORCE_NPM_CI:-}" != "1" ] && [ -d node_modules ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "node_modules matches package-lock.json; skipping npm ci"
    return 0
  fi
  npm ci --no-audit --no-fund && echo "$want" > "$stamp"
}

# run_layer <name> <command...>: runs one layer with a header, its output teed to a log file.
run_layer() {
  local name=$1
  shift
  local slug=${name//[^a-zA-Z0-9]/-}
  local log="$log_dir/$slug.log"
  local start end status counts
  echo
  echo "=================================================================="
  echo "== ${name}"
  echo "== \$ $*"
  echo "=================================================================="
  start=$(date +%s)
  "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  end=$(date +%s)
  # The test layers print `N passed, N failed` alone on a line; keep the last one.
  counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)
  if [ -z "$counts" ]; then
    # vitest's own summary: "Tests  3 failed | 211 passed (214)" (colours stripped).
    local vt
    vt=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ *Tests +' | tail -n 1 || true)
    if [ -n "$vt" ]; then
      local p f
      p=$(echo "$vt" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
      f=$(echo "$vt" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || echo 0)
      counts="${p:-0} passed, ${f:-0} failed"
    fi
  fi
  if [ -n "$counts" ]; then
    total_passed=$((total_passed + $(echo "$counts" | cut -d' ' -f1)))
    total_failed=$((total_failed + $(echo "$counts" | cut -d' ' -f3)))
  fi
  if [ "$status" -eq 0 ]; then
    results+=("PASS  $(printf '%-22s' "$name") $(printf '%4ss' $((end - start)))  ${counts}")
    echo "== ${name}: PASS ($((end - start)) s) ${counts}"
  else
    results+=("FAIL  $(printf '%-22s' "$name") $(printf '%4ss' $((end - start)))  ${counts:-exit code $status}  (log: $log)")
    echo "== ${name}: FAIL (exit code $status, $((end - start)) s) ${counts}"
    # The failing tests by name, so the summary at the end (all a CI log's tail may show) says which.
    local failed_tests
    failed_tests=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ *(FAIL|✗|✘|[0-9]+\) ) ' | sed 's/^ *//' | cut -c1-240 | awk '!seen[$0]++' | head -n 20 || true)
    [ -n "$failed_tests" ] && while IFS= read -r line; do failures+=("  ${line}"); done <<< "$failed_tests"
    overall=1
  fi
  layers+=("$name")
  return "$status"
}

summary() {
  echo
  echo "=================================================================="
  echo "== Summary ($(( $(date +%s) - started_all )) s; logs in $log_dir)"
  echo "=================================================================="
  printf '%s\n' "${results[@]}"
  if [ "${#failures[@]}" -gt 0 ]; then
    echo "Failing tests:"
    printf '%s\n' "${failures[@]}"
  fi
  local name
  for name in "${all_names[@]}"; do
    [[ " ${layers[*]} " == *" $name "* ]] || echo "SKIP  $name (an earlier layer failed)"
  done
  if [ "$overall" -eq 0 ]; then echo "ALL LAYERS PASSED"; else echo "FAILED"; fi
  # Every test of every layer, in the plain form CI reads.
  echo "${total_passed} passed, ${total_failed} failed"
}

all_names=("system packages" "npm dependencies" "code-server" "typecheck" "lint" "build" "unit tests" "package" "integration tests" "restricted mode" "e2e tests")
all_layers() {
  run_layer "system packages" bash scripts/install-system-deps.sh || return
  run_layer "npm dependencies" npm_ci_if_needed || return
  run_layer "code-server" node scripts/install-code-server.mjs || return
  run_layer "typecheck" npm run typecheck || return
  # ESLint, the dependency/dead-export check (knip) and Prettier; `npm run format` fixes most findings.
  run_layer "lint" npm run lint || return
  run_layer "build" npm run build || return
  run_layer "unit tests" npm run test:unit || return
  run_layer "package" npm run package || return
  run_layer "integration tests" node dist/test/harness/runIntegration.js || return
  run_layer "restricted mode" node dist/test/harness/runIntegration.js --restricted || return
  run_layer "e2e tests" node dist/test/harness/runE2e.js || return
}

all_layers
summary
exit "$overall"
