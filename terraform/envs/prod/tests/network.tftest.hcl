# The prod network as stated in terraform/docs/prod-network.md: every endpoint its table lists is in prod's network
# (and nothing it does not list), for the default settings and with ECS Exec on; every image a task pulls is in
# this account's registry (no NAT, so nothing from public.ecr.aws).

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  # The table's rows, | `endpoint` | Interface or Gateway | always, tracing or exec | ..., read from the document
  # (terraform test runs in this folder: npm run test:infra and terraform -chdir=terraform/envs/prod test).
  endpoint_table = [for m in regexall("(?m)^\\| `([a-z0-9.-]+)` \\| (Interface|Gateway) \\| (always|tracing|exec) \\|", file("../../docs/prod-network.md")) : { name = m[0], type = m[1], when = m[2] }]
}

run "the_documented_endpoints_and_no_other" {
  command = apply

  assert {
    condition     = length(var.endpoint_table) >= 6
    error_message = "terraform/docs/prod-network.md has its endpoint table (| `name` | Interface or Gateway | always, tracing or exec |)."
  }
  assert {
    condition     = module.stack.modules.network.egress_mode == "endpoints" && module.stack.modules.network.nat_gateway_count == 0 && module.stack.modules.network.nat_instance_id == null
    error_message = "Prod has no NAT: the table is all it reaches."
  }
  assert {
    condition     = toset(module.stack.modules.network.interface_endpoints) == toset([for r in var.endpoint_table : r.name if r.type == "Interface" && contains(["always", "tracing"], r.when)])
    error_message = "Prod's interface endpoints are exactly the table's always and tracing rows (prod traces)."
  }
  assert {
    condition     = toset(module.stack.modules.network.gateway_endpoints) == toset([for r in var.endpoint_table : r.name if r.type == "Gateway"])
    error_message = "Prod's gateway endpoints are exactly the table's Gateway rows (s3: image layers)."
  }
  assert {
    condition     = alltrue([for k in ["reader", "writer"] : startswith(module.stack.modules.service[k].tracing.image, "${module.stack.modules.collector_registry[0].repository_url}:")])
    error_message = "The collector's image comes from this stack's own repository (the CLI mirrors it there), never from public.ecr.aws."
  }
}

run "ecs_exec_adds_the_documented_endpoints" {
  command = plan

  variables {
    enable_execute_command = true
  }

  assert {
    condition     = toset(module.stack.modules.network.interface_endpoints) == toset([for r in var.endpoint_table : r.name if r.type == "Interface"])
    error_message = "With ECS Exec, prod's interface endpoints are exactly every Interface row of the table (ssmmessages and kms too)."
  }
}
