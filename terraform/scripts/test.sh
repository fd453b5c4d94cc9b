#!/usr/bin/env bash
# Infrastructure tests: `npm run test:infra`.
#   1. terraform fmt -check -recursive
#   2. per module, env root and tests/waivers: init -backend=false, validate, terraform test (mock_provider "aws";
#      no AWS account or credentials needed)
#   3. contract checks: envs/dev and envs/prod compose identically and output exactly the DESIGN.md contract
#   4. checkov / trivy / tflint when installed (optional)
# terraform test's own summary lines ("Success! N passed, 0 failed." / "Failure! ...") go to stdout unchanged;
# the exit code is non-zero when anything failed.
#
# Provider source: $TF_PLUGIN_DIR when set; else a local filesystem mirror found on this machine (the folder that
# holds registry.terraform.io/hashicorp/aws/...); else plain `terraform init` from the registry.
# TF_TEST_JOBS (default 2) folders are tested in parallel; their output is printed folder by folder.
set -euo pipefail

TF_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$TF_DIR"
export TF_IN_AUTOMATION=1 TF_INPUT=0
# A TF_CLI_CONFIG_FILE naming a missing file only produces a warning on every command.
if [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -f "$TF_CLI_CONFIG_FILE" ]]; then unset TF_CLI_CONFIG_FILE; fi

command -v terraform >/dev/null || { echo "terraform is not on PATH (need >= 1.11)" >&2; exit 2; }
start=$(date +%s)

# --- provider source -------------------------------------------------------------------------------------
plugin_dir="${TF_PLUGIN_DIR:-}"
if [[ -z "$plugin_dir" ]]; then
  provider_bin="$(find / -maxdepth 8 \( -path /proc -o -path /sys -o -path /dev -o -name node_modules -o -name .git \) -prune \
    -o -name 'terraform-provider-aws*' -path '*/registry.terraform.io/hashicorp/aws/*' -print 2>/dev/null | head -n 1 || true)"
  if [[ -n "$provider_bin" ]]; then
    plugin_dir="${provider_bin%%/registry.terraform.io/*}"
  fi
fi
init_args=(-backend=false -input=false -no-color)
if [[ -n "$plugin_dir" ]]; then
  echo "terraform: providers from local mirror $plugin_dir"
  init_args+=("-plugin-dir=$plugin_dir")
else
  echo "terraform: no local provider mirror; providers from the registry"
fi

failures=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }

# --- 1. formatting ---------------------------------------------------------------------------------------
echo "== terraform fmt -check -recursive"
if ! terraform fmt -check -recursive -no-color .; then
  fail "terraform fmt (run: terraform fmt -recursive terraform)"
fi

# --- 2. init, validate, test per folder ------------------------------------------------------------------
folders=(modules/* envs/* tests/waivers)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

check_folder() { # $1 folder, $2 log file; exit status = number of failed steps (0 = ok)
  local dir="$1" log="$2" bad=0 t0
  t0=$(date +%s)
  {
    echo "== $dir"
    if ! terraform -chdir="$dir" init "${init_args[@]}" >"$log.init" 2>&1; then
      cat "$log.init"; echo "FAILED: $dir: terraform init"; exit 1
    fi
    if ! terraform -chdir="$dir" validate -no-color; then
      echo "FAILED: $dir: terraform validate"; bad=$((bad + 1))
    fi
    if compgen -G "$dir/tests/*.tftest.hcl" >/dev/null; then
      if ! terraform -chdir="$dir" test -no-color; then
        echo "FAILED: $dir: terraform test"; bad=$((bad + 1))
      fi
    fi
    echo "-- $dir: $(( $(date +%s) - t0 ))s"
    exit "$bad"
  } >"$log" 2>&1
}

jobs_max="${TF_TEST_JOBS:-2}"
declare -A pids=()
i=0
for dir in "${folders[@]}"; do
  [[ -f "$dir/versions.tf" || -f "$dir/main.tf" ]] || continue
  while (( $(jobs -rp | wc -l) >= jobs_max )); do wait -n || true; done
  ( check_folder "$dir" "$tmp/$i.log" ) &
  pids[$i]=$!
  i=$((i + 1))
done
n=$i
for ((i = 0; i < n; i++)); do
  if ! wait "${pids[$i]}"; then failures=$((failures + 1)); fi
  cat "$tmp/$i.log"
done

# --- 3. deploy contract checks ---------------------------------------------------------------------------
echo "== contract checks (envs/dev vs envs/prod, DESIGN.md outputs)"
c_pass=0 c_fail=0
contract() { # $1 description, rest: command
  local what="$1"; shift
  if "$@" >/dev/null 2>&1; then c_pass=$((c_pass + 1)); echo "  $what... pass"
  else c_fail=$((c_fail + 1)); echo "  $what... fail"; fi
}
contract "envs/dev and envs/prod share main.tf (same composition)" cmp -s envs/dev/main.tf envs/prod/main.tf
contract "envs/dev and envs/prod share outputs.tf" cmp -s envs/dev/outputs.tf envs/prod/outputs.tf
expected_outputs="app_url aws_region database ecs_cluster_name environment migration services"
for env in dev prod; do
  actual="$(cat envs/$env/*.tf 2>/dev/null | sed -n 's/^output "\([a-z_]*\)".*/\1/p' | sort | tr '\n' ' ' | sed 's/ $//' || true)"
  contract "envs/$env outputs exactly: $expected_outputs" test "$actual" = "$expected_outputs"
  contract "envs/$env has a partial S3 backend and a backend.hcl.example" \
    bash -c "grep -q 'backend \"s3\" {}' envs/$env/versions.tf && grep -q 'use_lockfile' envs/$env/backend.hcl.example"
done
contract "no registry module sources (own modules only)" \
  bash -c "! grep -rhoE '^\s*source\s*=\s*\"[^.][^\"]*\"' --include='*.tf' modules envs | grep -v 'hashicorp/aws'"
# Absences a terraform test cannot see (RELIABILITY S7, I3, R5): no default VPC, no IAM users, no ECR repository policy.
contract "no aws_default_vpc, aws_iam_user* or aws_ecr_repository_policy resources" \
  bash -c "! grep -rqE 'resource \"(aws_default_vpc|aws_iam_user[a-z_]*|aws_ecr_repository_policy)\"' --include='*.tf' modules envs"
contract "no state files in the tree" bash -c "[ -z \"\$(find . -name '*.tfstate*' -not -path '*/.terraform/*')\" ]"
echo "contract checks: $c_pass passed, $c_fail failed."
(( c_fail == 0 )) || failures=$((failures + 1))

# --- 4. optional scanners --------------------------------------------------------------------------------
waived() { sed -n "s/^  - id: \(.*\)$/\1/p" waivers.yaml | grep -E "$1" | paste -sd, -; }
if command -v checkov >/dev/null; then
  echo "== checkov (waivers from waivers.yaml)"
  checkov -d . --framework terraform --quiet --compact --skip-check "$(waived '^CKV')" || fail "checkov"
fi
if command -v trivy >/dev/null; then
  echo "== trivy config (waivers from waivers.yaml)"
  waived '^AVD' | tr ',' '\n' >"$tmp/.trivyignore"
  trivy config --quiet --exit-code 1 --ignorefile "$tmp/.trivyignore" . || fail "trivy"
fi
if command -v tflint >/dev/null; then
  echo "== tflint"
  tflint --recursive --no-color || fail "tflint"
fi

echo "== terraform tests finished in $(( $(date +%s) - start ))s with $failures failing step(s)"
(( failures == 0 ))
