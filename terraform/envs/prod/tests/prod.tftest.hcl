# envs/prod: prod's safe choices, through the outputs and module.stack.modules
# (what the modules built from this env's settings; the wiring itself is tested in modules/stack).

mock_provider "aws" {
  source = "../../tests/mocks"
}

# The contract's shape: contract.tftest.hcl (env-common, linked here).
run "prod_outputs" {
  command = apply

  assert {
    condition     = output.environment == "prod" && output.ecs_cluster_name == "library-prod"
    error_message = "envs/prod is environment prod."
  }
  assert {
    condition     = length(output.migration.subnet_ids) == 3
    error_message = "Prod's migration task may run in any of its three private subnets."
  }
  assert {
    condition     = output.app_url == "https://mock-123456789.eu-west-1.elb.amazonaws.com"
    error_message = "Prod: app_url is HTTPS."
  }
  assert {
    condition     = module.stack.modules.service["writer"].migration.secret_value_from == "${output.database.secret_arn}:password::" && alltrue([for k in ["reader", "writer"] : module.stack.modules.service[k].task.container_environment.DB_AUTH == "iam"])
    error_message = "R-1: the services log in with IAM auth; only the migrate task takes DB_PASSWORD, from the master secret."
  }
}

run "prod_is_safe" {
  command = plan

  assert {
    condition     = module.stack.modules.network.egress_mode == "endpoints" && module.stack.modules.network.nat_gateway_count == 0 && toset(module.stack.modules.network.interface_endpoints) == toset(["ecr.api", "ecr.dkr", "logs", "secretsmanager", "xray"]) && module.stack.modules.network.flow_logs_enabled
    error_message = "Prod: private endpoints instead of NAT (xray for the traces), and flow logs."
  }
  assert {
    condition     = alltrue([for k in ["reader", "writer"] : !module.stack.modules.service[k].service.fargate_spot])
    error_message = "Prod: on-demand Fargate, never Spot."
  }
  assert {
    condition     = length(module.stack.modules.network.private_subnet_ids) == 3 && length(module.stack.modules.network.public_subnet_ids) == 3
    error_message = "Prod: three AZs."
  }
  assert {
    condition     = module.stack.modules.database.protection.multi_az && module.stack.modules.database.protection.deletion_protection && module.stack.modules.database.protection.backup_retention_days >= 7
    error_message = "Prod: Multi-AZ, deletion protection, at least 7 days of backups."
  }
  assert {
    condition     = alltrue([for k in ["reader", "writer"] : module.stack.modules.service[k].service.desired_count >= 2])
    error_message = "Prod: at least two tasks per service (the service module refuses a minimum below two)."
  }
  assert {
    condition     = module.stack.modules.cluster.container_insights != "disabled"
    error_message = "Prod: Container Insights (a year of logs: modules/stack refuses less in prod)."
  }
  assert {
    condition     = module.stack.modules.load_balancer.https_enabled && module.stack.modules.load_balancer.web_acl_arn != null && module.stack.modules.load_balancer.access_logs_bucket != null
    error_message = "Prod: HTTPS, WAF and ALB access logs."
  }
}

run "prod_records_traces" {
  command = plan

  assert {
    condition = alltrue([for k in ["reader", "writer"] :
      module.stack.modules.service[k].tracing.enabled &&
      startswith(module.stack.modules.service[k].tracing.image, "${module.stack.modules.collector_registry[0].repository_url}:") &&
      module.stack.modules.service[k].tracing.environment == tomap({
        OTEL_EXPORTER_OTLP_ENDPOINT = "http://127.0.0.1:4318"
        OTEL_SERVICE_NAME           = "library-prod-${k}"
        OTEL_TRACES_SAMPLER         = "parentbased_traceidratio"
        OTEL_TRACES_SAMPLER_ARG     = "0.1"
      })
    ])
    error_message = "Prod: both services run the ADOT sidecar from this stack's collector repository (no internet egress) and sample 10 % of new traces."
  }
}

run "with_replica" {
  command = apply

  variables {
    create_read_replica = true
    app_hostname        = "books.example.com"
  }

  assert {
    condition     = output.database.read_endpoint != null && module.stack.modules.service["reader"].task.container_environment.DB_READ_HOST == output.database.read_endpoint
    error_message = "The reader reads from the replica."
  }
  assert {
    condition     = output.app_url == "https://books.example.com"
    error_message = "app_url uses the host name when given."
  }
}

run "ecs_exec_gets_its_endpoint" {
  command = plan

  variables {
    enable_execute_command = true
  }

  assert {
    condition     = contains(module.stack.modules.network.interface_endpoints, "ssmmessages") && contains(module.stack.modules.network.interface_endpoints, "kms")
    error_message = "R-4: with ECS Exec on, prod (no NAT) gets the ssmmessages endpoint and, for the CMK-encrypted session, kms."
  }
}

run "github_deploy_role_trusts_the_prod_environment" {
  command = apply

  variables {
    github_oidc = { repository = "acme/books", provider_arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
  }

  assert {
    condition     = module.stack.modules.deployer.github_subject == "repo:acme/books:environment:prod" && output.deploy_role_arn == module.stack.modules.deployer.role_arn && output.deploy_role_arn != null
    error_message = "I4: prod's deploy role trusts exactly jobs in the prod environment (required reviewers) of the repository."
  }
}
