#!/usr/bin/env bash
# Infrastructure tests: `npm run test:infra`.
#   1. terraform fmt -check -recursive
#   2. per module, env root and tests/waivers: init -backend=false, validate, terraform test (mock_provider "aws";
#      no AWS account or credentials needed)
#   3. contract checks: envs/dev and envs/prod are thin roots over modules/stack (the one composition: they pass it
#      every input, move the old module addresses into it, set their own environment in main.tf, declare their
#      inputs bare because modules/stack describes and checks them) and output exactly the contract of docs/deploy-contract.md plus
#      deploy_role_arn, passed through from it; the deployer's actions.json is the one list of actions and is valid
#      JSON
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
echo "== contract checks (envs/dev and envs/prod over modules/stack, docs/deploy-contract.md outputs)"
c_pass=0 c_fail=0
contract() { # $1 description, rest: command
  local what="$1"; shift
  if "$@" >/dev/null 2>&1; then c_pass=$((c_pass + 1)); echo "  $what... pass"
  else c_fail=$((c_fail + 1)); echo "  $what... fail"; fi
}
# Small readers of our own formatting (terraform fmt keeps top-level blocks at column 0, arguments at 2 spaces).
block_args() { # $1 header e.g. 'module "stack"', files...: argument names of that top-level block, sorted
  local header="$1"; shift
  cat "$@" | awk -v h="$header {" '$0 == h {b = 1; next} b && /^}/ {b = 0} b && /^  [a-z_]+ +=/ {print $1}' | sort
}
names_of() { # $1 block type (variable, output, module), files...: the block labels, sorted
  local type="$1"; shift
  cat "$@" | sed -n "s/^$type \"\([a-z_]*\)\".*/\1/p" | sort
}
only_the_stack() { # $1 env: no module, resource or data block but module "stack" from ../../modules/stack
  [[ "$(cat envs/"$1"/*.tf | grep -E '^(module|resource|data) ')" == 'module "stack" {' ]] &&
    grep -qE '^  source += "\.\./\.\./modules/stack"$' envs/"$1"/*.tf
}
passes_every_stack_input() { # $1 env: the call sets exactly the stack's variables (no stack default decides for an env)
  diff <(block_args 'module "stack"' envs/"$1"/*.tf | grep -vx source) <(names_of variable modules/stack/*.tf)
}
# The modules the env roots called before modules/stack existed; modules added since (deployer) never had a root
# address, so they need no moved block.
legacy_modules="cluster database kms load_balancer monitoring network registry service"
moves_every_module() { # $1 env: a moved block module.X -> module.stack.module.X for each former root module (other moves, e.g. prod's service moves, are not counted)
  diff <(cat envs/"$1"/*.tf | awk '/^moved *[{]/ {m = 1} m && $1 == "from" {f = $3} m && $1 == "to" {t = $3} m && /^}/ {if (f ~ /^module\.[a-z_]+$/) print f " " t; m = 0}' | sort) \
    <(printf '%s\n' $legacy_modules | awk '{print "module." $1 " module.stack.module." $1}')
}
stack_calls_legacy_modules() { # every former root module is still composed by modules/stack
  local m; for m in $legacy_modules; do names_of module modules/stack/main.tf | grep -qx "$m" || return 1; done
}
outputs_pass_through() { # $1 env: every output's value is module.stack.<same name>
  [[ -z "$(cat envs/"$1"/*.tf | awk '/^output "/ {n = $2; gsub(/"/, "", n)} /^  value +=/ && $3 != "module.stack." n {print n}')" ]]
}
# The output contract (docs/deploy-contract.md#terraform-outputs): the seven values the deploy CLI reads, plus deploy_role_arn (issue 16: the GitHub
# repository variable AWS_<ENV>_DEPLOY_ROLE_ARN, null without github_oidc), plus (issue 23) otel_collector (the
# image the CLI mirrors) and outage_alarm_names (the alarms pause/resume and the first rollout switch).
expected_outputs="app_url aws_region database deploy_role_arn ecs_cluster_name environment migration otel_collector outage_alarm_names services"
stack_outputs_contract() { # modules/stack has an output for each contract name
  local o; for o in $expected_outputs; do names_of output modules/stack/outputs.tf | grep -qx "$o" || return 1; done
}
contract "modules/stack outputs every contract value" stack_outputs_contract
contract "modules/stack composes every former root module ($legacy_modules)" stack_calls_legacy_modules
for env in dev prod; do
  actual="$(names_of output envs/$env/*.tf | tr '\n' ' ' | sed 's/ $//' || true)"
  contract "envs/$env composes only through module \"stack\" (../../modules/stack)" only_the_stack "$env"
  contract "envs/$env passes modules/stack every one of its inputs" passes_every_stack_input "$env"
  contract "envs/$env moves each former module address into module.stack" moves_every_module "$env"
  contract "envs/$env/main.tf sets environment = \"$env\"" grep -qE "^  environment += \"$env\"$" "envs/$env/main.tf"
  contract "envs/$env/variables.tf declares its inputs bare (description, default and checks: modules/stack)" \
    bash -c "! grep -qE '^  (description|validation|nullable) ' envs/$env/variables.tf"
  contract "envs/$env outputs exactly: $expected_outputs" test "$actual" = "$expected_outputs"
  contract "envs/$env outputs pass module.stack's values through" outputs_pass_through "$env"
  contract "envs/$env has a partial S3 backend and a backend.hcl.example" \
    bash -c "grep -q 'backend \"s3\" {}' envs/$env/versions.tf && grep -q 'use_lockfile' envs/$env/backend.hcl.example"
done
contract "no registry module sources (own modules only)" \
  bash -c "! grep -rhoE '^\s*source\s*=\s*\"[^.][^\"]*\"' --include='*.tf' modules envs | grep -v 'hashicorp/aws'"
# Absences a terraform test cannot see (docs/reliability.md S7, I3, R5): no default VPC, no IAM users, no ECR repository policy.
contract "no aws_default_vpc, aws_iam_user* or aws_ecr_repository_policy resources" \
  bash -c "! grep -rqE 'resource \"(aws_default_vpc|aws_iam_user[a-z_]*|aws_ecr_repository_policy)\"' --include='*.tf' modules envs"
contract "no state files in the tree" bash -c "[ -z \"\$(find . -name '*.tfstate*' -not -path '*/.terraform/*')\" ]"
# Issue 16: the deploy CLI's tests read modules/deployer/actions.json; it must stay the one list of actions (no other
# file in the tree names deployer actions for Terraform to read) and parse as JSON without Terraform.
json_ok() { # $1 file: parses as JSON with a non-empty "statements" list (node runs npm run test:infra; python3 else)
  if command -v node >/dev/null; then
    node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.exit(Array.isArray(d.statements) && d.statements.length ? 0 : 1)' "$1"
  else
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if isinstance(d.get("statements"), list) and d["statements"] else 1)' "$1"
  fi
}
contract "modules/deployer/actions.json is valid JSON with a statements list, read by main.tf through jsondecode(file(...))" \
  bash -c "$(declare -f json_ok); json_ok modules/deployer/actions.json &&
    grep -qF 'jsondecode(file(local.actions_file))' modules/deployer/main.tf &&
    grep -qF '\"\${path.module}/actions.json\"' modules/deployer/main.tf"
# The contract's nested keys (docs/deploy-contract.md): modules/stack builds services.<svc> and migration with exactly these.
block_keys() { # $1 output name: the attribute names assigned inside that output block of modules/stack/outputs.tf
  awk -v h="output \"$1\" {" '$0 == h {b = 1; next} b && /^}/ {b = 0} b && /^ +[a-z_]+ +=/ {print $1}' modules/stack/outputs.tf |
    grep -vxE 'description|value' | sort | paste -sd' ' -
}
contract "modules/stack services.<svc> = { container_name delivery ecr_repository_url log_group_name service_name task_definition_arn task_family }" \
  test "$(block_keys services)" = "container_name delivery ecr_repository_url log_group_name service_name task_definition_arn task_family"
# Issue 27: services.<svc>.delivery (terraform/README.md, "Progressive delivery"): modules/stack's delivery_strategy
# (strategy and steps) merged with what modules/delivery built, and the nested objects the deploy CLI reads from it.
output_keys() { # $1 file, $2 output name, $3 indent of the keys: the attribute names at that depth of the output
  awk -v h="output \"$2\" {" -v ind="$3" '$0 == h {b = 1; next} b && /^}/ {b = 0} b && match($0, "^" ind "[a-z_]+ +=") {print $1}' "$1" |
    sort | paste -sd' ' -
}
local_keys() { # $1 file, $2 local name (an object literal at two spaces): its attribute names
  awk -v h="  $2 = {" '$0 == h {b = 1; next} b && /^  }/ {b = 0} b && /^    [a-z_]+ +=/ {print $1}' "$1" | sort | paste -sd' ' -
}
contract "services.<svc>.delivery = { bake_time_minutes canary hook linear load_balancer rollback_alarm_names strategy test_traffic_header } (modules/stack + modules/delivery)" \
  test "$(echo $(local_keys modules/stack/delivery.tf delivery_strategy) $(output_keys modules/delivery/outputs.tf services '      ') | tr ' ' '\n' | sort | paste -sd' ' -)" = "bake_time_minutes canary hook linear load_balancer rollback_alarm_names strategy test_traffic_header"
contract "modules/delivery load_balancer = { alternate_target_group_arn production_listener_rule_arn role_arn target_group_arn test_listener_rule_arn }, hook = { function_arn lifecycle_stages role_arn }" \
  test "$(output_keys modules/delivery/outputs.tf services '        ')" = "alternate_target_group_arn function_arn lifecycle_stages production_listener_rule_arn role_arn role_arn target_group_arn test_listener_rule_arn"
contract "modules/stack migration = { assign_public_ip container_name log_group_name security_group_ids subnet_ids task_definition_arn task_family }" \
  test "$(block_keys migration)" = "assign_public_ip container_name log_group_name security_group_ids subnet_ids task_definition_arn task_family"
contract "modules/stack database = { endpoint instance_identifier read_endpoint secret_arn }" \
  test "$(block_keys database)" = "endpoint instance_identifier read_endpoint secret_arn"
# D14 and R-2, which a plan cannot show (write-only values are null in plan and state): a password or secret
# value only ever goes to a *_wo argument, and RDS never manages the master password (it could not then have a
# read replica).
contract "no plain password / secret_string argument (write-only *_wo only) and no manage_master_user_password" \
  bash -c "! grep -rnE '^\s*(password|secret_string|manage_master_user_password)\s*=' --include='*.tf' modules envs"
# R-6, which a plan cannot show: the ECS service resource depends on the listener rules' pass-through resource.
for svc_resource in this progressive; do
  contract "modules/service: aws_ecs_service.$svc_resource depends_on terraform_data.listener_rules" \
    bash -c "awk '/^resource \"aws_ecs_service\" \"$svc_resource\" \{/ {b = 1} b && /^}/ {b = 0} b' modules/service/*.tf | grep -qE '^  depends_on += \[terraform_data.listener_rules\]'"
done
# Issue 27, which a plan cannot show: what ECS changes during and after a blue/green-based deployment is left to it
# (the listener rules' weights; the service's load balancer, swapped after each deployment).
contract "modules/load_balancer: the progressive listener rules ignore changes to their action" \
  bash -c "awk '/^resource \"aws_lb_listener_rule\" \"progressive\" \{/ {b = 1} b && /^}/ {b = 0} b' modules/load_balancer/delivery.tf | grep -qE '^    ignore_changes += \[action\]'"
contract "modules/service: aws_ecs_service.progressive ignores changes to its load_balancer" \
  bash -c "awk '/^resource \"aws_ecs_service\" \"progressive\" \{/ {b = 1} b && /^}/ {b = 0} b' modules/service/delivery.tf | grep -qE '^    ignore_changes += \[task_definition, desired_count, load_balancer\]'"
# Issue 17, which a plan cannot show (under mocks the certificate and its validation carry the same ARN): the HTTPS
# listener takes its certificate from aws_acm_certificate_validation when a domain is set, so it waits for ACM to
# issue the certificate instead of failing on one still pending validation.
contract "modules/load_balancer: the HTTPS listener uses the validated certificate (aws_acm_certificate_validation)" \
  bash -c "grep -qE '^  certificate_arn += local\.domain \? aws_acm_certificate_validation\.this\[0\]\.certificate_arn : var\.https\.certificate_arn$' modules/load_balancer/domain.tf &&
    awk '/^resource \"aws_lb_listener\" \"https\" \{/ {b = 1} b && /^}/ {b = 0} b' modules/load_balancer/main.tf | grep -qE '^  certificate_arn += local\.certificate_arn( |$)'"
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
