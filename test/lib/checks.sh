# shellcheck shell=bash
# The counters and checks of every shell test that counts checks (test/checks/*.sh but the
# one-shot validators, test/e2e/*.sh). Source it;
# end the test with t_summary, whose status is the test's:
#
#   source test/lib/checks.sh
#   check "the file exists" test -e "$file"
#   expect_exit 64 'unknown argument' "an unknown option is a usage error" scripts/x.sh --bogus
#   t_summary
#
# A result is one line on stdout, "ok - WHAT" or "not ok - WHAT" (TAP's wording); the summary
# "NAME: N passed, M failed (S s)". T_NAME defaults to the test's file name without .sh.
# T_QUIET=1: check keeps a command's output to itself, and shows its last lines on failure.
# T_OUTPUT=FILE: expect_exit leaves the command's output in FILE, for the checks after it.

T_NAME=${T_NAME:-$(basename "$0" .sh)}
T_PASSED=0 T_FAILED=0 T_STARTED=$SECONDS
T_QUIET=${T_QUIET:-0}

t_ok() { T_PASSED=$((T_PASSED + 1)); printf 'ok - %s\n' "$*"; }
t_fail() { T_FAILED=$((T_FAILED + 1)); printf 'not ok - %s\n' "$*"; }

# t_output FILE: a failed command's output, indented, its last 40 lines.
t_output() { tail -n 40 "$1" | sed 's/^/    | /'; }

# check DESCRIPTION COMMAND...: passes when COMMAND (a function too) succeeds. It runs in
# this shell, so it may set variables; its output passes through (with T_QUIET=1 only on
# failure).
check() {
  local what=$1 rc=0 out
  shift
  if ((T_QUIET)); then
    out=$(mktemp "${TMPDIR:-/tmp}/t-check.XXXXXX")
    "$@" >"$out" 2>&1 || rc=$?
  else
    "$@" || rc=$?
  fi
  if ((rc == 0)); then t_ok "$what"; else
    t_fail "$what (exit $rc)"
    [[ -z ${out:-} ]] || t_output "$out"
  fi
  [[ -z ${out:-} ]] || rm -f "$out"
  return 0
}

# expect_exit CODE PATTERN DESCRIPTION COMMAND...: passes when COMMAND exits with CODE and
# a line of its output (stdout and stderr) matches the extended regular expression PATTERN
# ('' for any output). The exit code tells the class of a failure (docs/exit-codes.md), the
# message which one: a refusal's check names both.
expect_exit() {
  local want=$1 pattern=$2 what=$3 rc=0 out line=''
  shift 3
  out=${T_OUTPUT:-$(mktemp "${TMPDIR:-/tmp}/t-expect.XXXXXX")}
  "$@" >"$out" 2>&1 || rc=$?
  [[ -z $pattern ]] || line=$(grep -Em1 -- "$pattern" "$out" | cut -c1-140) || true
  if ((rc == want)) && [[ -z $pattern || -n $line ]]; then
    t_ok "$what (exit $rc${line:+: $line})"
  else
    t_fail "$what: wanted exit $want${pattern:+ and a line /$pattern/}, got exit $rc:"
    t_output "$out"
  fi
  [[ -n ${T_OUTPUT:-} ]] || rm -f "$out"
  return 0
}

# t_summary: prints "NAME: N passed, M failed (S s)"; fails when a check failed or none ran.
t_summary() {
  printf '%s: %d passed, %d failed (%d s)\n' "$T_NAME" "$T_PASSED" "$T_FAILED" "$((SECONDS - T_STARTED))"
  ((T_FAILED == 0 && T_PASSED > 0))
}
