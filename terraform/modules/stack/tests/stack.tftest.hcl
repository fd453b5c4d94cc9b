# Stack module: the composition itself (names, wiring between the modules, the contract values, its own
# guards), with a prod-safe configuration of its own (inputs.auto.tfvars). The real dev and prod settings are tested in envs/*.

mock_provider "aws" {
  source = "../../tests/mocks"
}

run "names_follow_project_and_environment" {
  command = apply

  assert {
    condition     = output.environment == "prod" && output.aws_region == "eu-west-1" && output.ecs_cluster_name == "shop-prod" && module.cluster.name == "shop-prod"
    error_message = "environment and aws_region are passed through; the cluster is <project>-<environment>."
  }
  assert {
    condition = toset(keys(output.services)) == toset(["reader", "writer"]) && alltrue([for k, s in output.services :
      s.service_name == "shop-prod-${k}" && s.task_family == "shop-prod-${k}" && s.container_name == "app" &&
      s.log_group_name == "/ecs/shop-prod-${k}" && s.ecr_repository_url == module.registry[k].repository_url &&
      module.registry[k].repository_name == "shop-prod/${k}" && s.task_definition_arn == module.service[k].task.definition_arn
    ])
    error_message = "Each service is <project>-<env>-<key>, with its own repository <project>-<env>/<key>."
  }
  assert {
    condition     = alltrue([for k in ["reader", "writer"] : module.monitoring.service_5xx_alarm_names[k] == "shop-prod-${k}-5xx"])
    error_message = "Monitoring alarms on the fixed service names, and hands each service its own 5xx alarm for rollback."
  }
  assert {
    condition     = output.database.instance_identifier == "shop-prod" && output.database.endpoint == module.database.address && output.database.secret_arn == module.database.secret_arn && output.database.read_endpoint == null
    error_message = "database: the primary's identifier, host name (no port) and RDS-managed secret; no replica."
  }
  assert {
    condition     = output.app_url == "https://mock-123456789.eu-west-1.elb.amazonaws.com" && output.app_url == module.load_balancer.url
    error_message = "Without app_hostname, app_url is the ALB's URL (https with a certificate)."
  }
}

run "services_log_in_with_iam_and_only_migrate_gets_the_secret" {
  command = apply

  assert {
    condition = alltrue([for k in ["reader", "writer"] :
      module.service[k].task.container_environment.DB_AUTH == "iam" &&
      module.service[k].task.container_environment.DB_USER == "library_${k}" &&
      module.service[k].task.container_environment.DB_HOST == module.database.address &&
      module.service[k].task.container_environment.DB_PORT == tostring(module.database.port) &&
      module.service[k].task.container_environment.DB_NAME == module.database.db_name &&
      module.service[k].task.container_environment.AWS_REGION == "eu-west-1" &&
      !contains(keys(module.service[k].task.container_environment), "DB_READ_HOST")
    ])
    error_message = "R-1: both services connect to the primary as their own role (library_reader, library_writer) with IAM auth; no DB_READ_HOST without a replica."
  }
  assert {
    condition = alltrue([for k in ["reader", "writer"] :
      module.service[k].task.db_connect_arns == ["arn:aws:rds-db:eu-west-1:123456789012:dbuser:${module.database.resource_id}/library_${k}"]
    ])
    error_message = "R-1: each task role may connect only as its own user, on the primary's DbiResourceId."
  }
  assert {
    condition = (
      module.service["writer"].migration.task_family == "shop-prod-migrate" &&
      module.service["writer"].migration.secret_value_from == "${module.database.secret_arn}:password::" &&
      module.service["writer"].migration.environment.DB_AUTH == "password" &&
      module.service["writer"].migration.environment.DB_USER == module.database.username &&
      module.service["reader"].migration == null
    )
    error_message = "R-1: only the migrate task (registered next to the writer) logs in as the master user, with the master secret's password."
  }
  assert {
    condition = output.migration == {
      task_family         = "shop-prod-migrate"
      container_name      = "app"
      task_definition_arn = module.service["writer"].migration.task_definition_arn
      log_group_name      = "/ecs/shop-prod-migrate"
      subnet_ids          = module.network.private_subnet_ids
      security_group_ids  = [module.network.services_security_group_id]
      assign_public_ip    = false
    }
    error_message = "migration: the <name>-migrate family, its container, revision ARN and log group, in the private subnets with the services' security group and no public IP."
  }
}

run "services_wait_for_their_listener_rules" {
  command = apply

  assert {
    condition     = alltrue([for k in ["reader", "writer"] : tolist(module.service[k].service.listener_rule_arns) == tolist([module.load_balancer.listener_rule_arns[k]])])
    error_message = "R-6: each service is created after the listener rule that forwards to its target group."
  }
}

run "key_policy_names_the_alerts_topic" {
  command = apply

  assert {
    condition     = module.kms.alerts_topic_arn == "arn:aws:sns:eu-west-1:123456789012:${module.monitoring.names.topic}" && module.monitoring.names.topic == "shop-prod-alerts"
    error_message = "R-5: the key policy lets EventBridge encrypt for exactly the topic monitoring creates."
  }
}

run "settings_reach_the_modules" {
  command = plan

  assert {
    condition     = local.azs == tolist(["eu-west-1a", "eu-west-1b"]) && length(module.network.private_subnet_ids) == 2 && length(module.network.database_subnet_ids) == 2
    error_message = "az_count = 2 takes the region's first two regular AZs by name."
  }
  assert {
    condition     = module.network.nat_gateway_count == 2 && length(module.network.interface_endpoints) == 0 && module.network.flow_logs_enabled
    error_message = "egress_mode nat without single_nat_gateway: one NAT per AZ, no interface endpoints; flow logs on."
  }
  assert {
    condition     = module.cluster.container_insights == "enhanced"
    error_message = "container_insights reaches the cluster."
  }
  assert {
    condition = alltrue([for k in ["reader", "writer"] :
      module.service[k].service.desired_count == 2 && module.service[k].task.container_environment.DB_POOL_MAX == "7" && module.service[k].task.container_environment.LOG_LEVEL == "warn"
    ])
    error_message = "task.desired_count, db_pool_max and log_level reach both services."
  }
  assert {
    condition     = module.database.protection.multi_az && module.database.protection.deletion_protection && module.database.protection.backup_retention_days == 10
    error_message = "db settings reach the database."
  }
  assert {
    condition     = module.load_balancer.https_enabled && module.load_balancer.web_acl_arn != null && module.load_balancer.access_logs_bucket != null
    error_message = "certificate_arn and the alb settings reach the load balancer."
  }
}

run "replica_goes_to_the_reader_only" {
  command = apply

  variables {
    create_read_replica = true
  }

  assert {
    condition     = output.database.read_endpoint != null && output.database.read_endpoint == module.database.replica.address && module.service["reader"].task.container_environment.DB_READ_HOST == output.database.read_endpoint
    error_message = "With a replica, database.read_endpoint is set and the reader gets it as DB_READ_HOST."
  }
  assert {
    condition     = !contains(keys(module.service["writer"].task.container_environment), "DB_READ_HOST")
    error_message = "The writer never reads from the replica."
  }
  assert {
    condition = (
      length(module.service["reader"].task.db_connect_arns) == 2 &&
      module.service["reader"].task.db_connect_arns[1] == "arn:aws:rds-db:eu-west-1:123456789012:dbuser:${module.database.replica.resource_id}/library_reader" &&
      length(module.service["writer"].task.db_connect_arns) == 1
    )
    error_message = "R-1: with a replica the reader may also connect to the replica; the writer only to the primary."
  }
}

run "host_name_without_certificate_is_http" {
  command = plan

  variables {
    environment     = "dev"
    default_tags    = merge(var.default_tags, { Environment = "dev" })
    certificate_arn = null
    app_hostname    = "books.example.com"
  }

  assert {
    condition     = output.app_url == "http://books.example.com" && !module.load_balancer.https_enabled
    error_message = "Without a certificate app_url keeps the host name but says http."
  }
}

run "ecs_exec_behind_nat_needs_no_endpoint" {
  command = plan

  variables {
    enable_execute_command = true
  }

  assert {
    condition     = length(module.network.interface_endpoints) == 0
    error_message = "With NAT, ECS Exec reaches SSM through it: no interface endpoints (envs/prod checks the endpoint case)."
  }
}

run "ecs_exec_in_endpoints_mode_gets_ssmmessages_and_kms" {
  command = plan

  variables {
    enable_execute_command = true
    settings               = merge(var.settings, { egress_mode = "endpoints" })
  }

  assert {
    condition     = toset(module.network.interface_endpoints) == toset(["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssmmessages", "kms", "xray"])
    error_message = "R-4: an exec session encrypted with the stack's CMK needs the ssmmessages and kms endpoints where there is no NAT (xray: tracing is on)."
  }
  assert {
    condition     = module.cluster.exec_kms_key_arn != null
    error_message = "The cluster encrypts exec sessions with a CMK, which is why kms is added."
  }
}

run "tracing_reaches_both_services_from_the_collector_repository" {
  command = apply

  assert {
    condition     = module.collector_registry[0].repository_name == "shop-prod/otel-collector"
    error_message = "Tracing creates this environment's collector repository <project>-<env>/otel-collector, beside the app repositories."
  }
  assert {
    condition = alltrue([for k in ["reader", "writer"] :
      module.service[k].tracing.enabled &&
      module.service[k].tracing.image == "${module.collector_registry[0].repository_url}:v0.49.0" &&
      module.service[k].tracing.environment.OTEL_SERVICE_NAME == "shop-prod-${k}" &&
      module.service[k].tracing.environment.OTEL_TRACES_SAMPLER_ARG == "0.2" &&
      module.service[k].task.container_environment.OTEL_EXPORTER_OTLP_ENDPOINT == "http://127.0.0.1:4318"
    ])
    error_message = "settings.tracing reaches both services: the collector image from this account's repository, each service's own name, the sample ratio."
  }
  assert {
    condition = output.otel_collector == {
      source_image   = "public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0"
      repository_url = module.collector_registry[0].repository_url
      tag            = "v0.49.0"
    }
    error_message = "The deploy CLI reads what to mirror (the pinned upstream image) and where (this stack's repository, same tag)."
  }
  assert {
    condition     = contains(module.deployer.resource_keys.ecr_repositories, "arn:aws:ecr:eu-west-1:123456789012:repository/shop-prod/otel-collector")
    error_message = "The deployer may push the mirrored collector image."
  }
  assert {
    condition     = output.outage_alarm_names == module.monitoring.outage_alarm_names && length(output.outage_alarm_names) == 3
    error_message = "The outage alarms reach the deploy CLI (pause, resume, first rollout)."
  }
}

run "tracing_in_endpoints_mode_gets_the_xray_endpoint" {
  command = plan

  variables {
    settings = merge(var.settings, { egress_mode = "endpoints" })
  }

  assert {
    condition     = toset(module.network.interface_endpoints) == toset(["ecr.api", "ecr.dkr", "logs", "secretsmanager", "xray"])
    error_message = "Without NAT the collectors reach X-Ray through its interface endpoint."
  }
}

run "tracing_off_adds_nothing" {
  command = plan

  variables {
    environment     = "dev"
    default_tags    = merge(var.default_tags, { Environment = "dev" })
    certificate_arn = null
    settings        = merge(var.settings, { egress_mode = "endpoints", tracing = { enabled = false, sample_ratio = 0.2 } })
  }

  assert {
    condition     = length(module.collector_registry) == 0 && output.otel_collector == null && !contains(module.network.interface_endpoints, "xray")
    error_message = "Tracing off: no collector repository, nothing to mirror, no xray endpoint."
  }
  assert {
    condition     = alltrue([for k in ["reader", "writer"] : !module.service[k].tracing.enabled && length([for n in keys(module.service[k].task.container_environment) : n if startswith(n, "OTEL_")]) == 0])
    error_message = "Tracing off: no sidecar and no OTEL_* variables in either service."
  }
}

run "prod_refuses_tracing_off" {
  command = plan
  variables {
    settings = merge(var.settings, { tracing = { enabled = false, sample_ratio = 0.2 } })
  }
  expect_failures = [var.settings]
}

run "domain_gives_https_on_the_domain" {
  command = apply

  variables {
    certificate_arn = null
    domain_name     = "books.example.com"
    hosted_zone_id  = "Z0123456789ABCDEFGHIJ"
  }

  assert {
    condition     = output.app_url == "https://books.example.com" && module.load_balancer.certificate.domain_name == "books.example.com" && module.load_balancer.https_enabled
    error_message = "With a domain (and no certificate_arn) prod serves HTTPS on the domain's own certificate, and app_url is https://<domain>."
  }
  assert {
    condition     = module.load_balancer.certificate.arn == "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"
    error_message = "The listener's certificate is the one ACM issued for the domain."
  }
}



run "rejects_app_hostname_with_domain" {
  command = plan
  variables {
    certificate_arn = null
    domain_name     = "books.example.com"
    hosted_zone_id  = "Z0123456789ABCDEFGHIJ"
    app_hostname    = "other.example.com"
  }
  expect_failures = [var.app_hostname]
}

run "deployer_covers_exactly_this_stack" {
  command = plan

  assert {
    condition = (
      jsonencode(module.deployer.resource_keys.services) == jsonencode(["arn:aws:ecs:eu-west-1:123456789012:service/shop-prod/shop-prod-reader", "arn:aws:ecs:eu-west-1:123456789012:service/shop-prod/shop-prod-writer"]) &&
      jsonencode(module.deployer.resource_keys.task_definition_families) == jsonencode([
        "arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-prod-reader:*", "arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-prod-writer:*",
        "arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-prod-migrate:*",
      ]) &&
      jsonencode(module.deployer.resource_keys.migrate_task_definition) == jsonencode(["arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-prod-migrate:*"]) &&
      jsonencode(module.deployer.resource_keys.ecr_repositories) == jsonencode([
        "arn:aws:ecr:eu-west-1:123456789012:repository/shop-prod/otel-collector",
        "arn:aws:ecr:eu-west-1:123456789012:repository/shop-prod/reader", "arn:aws:ecr:eu-west-1:123456789012:repository/shop-prod/writer",
      ]) &&
      jsonencode(module.deployer.resource_keys.db_instance) == jsonencode(["arn:aws:rds:eu-west-1:123456789012:db:shop-prod"]) &&
      jsonencode(module.deployer.resource_keys.cluster) == jsonencode(["arn:aws:ecs:eu-west-1:123456789012:cluster/shop-prod"])
    )
    error_message = "The deployer works on this stack's cluster, two services, three task families, the two app repositories and the collector's mirror, and database, by their names."
  }
  assert {
    condition = toset(module.deployer.resource_keys.log_groups) == toset([for g in ["/ecs/shop-prod-reader", "/ecs/shop-prod-writer", "/ecs/shop-prod-migrate"] :
      "arn:aws:logs:eu-west-1:123456789012:log-group:${g}*"
    ])
    error_message = "The deployer reads the services' and the migrate task's log groups."
  }
  assert {
    condition = toset(module.deployer.resource_keys.passable_roles) == toset([for r in [
      "shop-prod-reader-execution", "shop-prod-reader-task", "shop-prod-writer-execution", "shop-prod-writer-task", "shop-prod-migrate-execution", "shop-prod-migrate-task",
    ] : "arn:aws:iam::123456789012:role/${r}"])
    error_message = "iam:PassRole reaches exactly the services' and the migrate task's task and execution roles."
  }
  assert {
    condition     = jsonencode(module.deployer.resource_keys.state_object) == jsonencode(["arn:aws:s3:::shop-tfstate-123456789012-eu-west-1/shop/prod/terraform.tfstate"])
    error_message = "By default the deployer reads <project>/<env>/terraform.tfstate in <project>-tfstate-<account>-<region> (the bucket deploy init creates)."
  }
  assert {
    condition     = output.deploy_role_arn == null
    error_message = "No GitHub role unless github_oidc is set."
  }
}

run "deployer_state_and_github_role_from_inputs" {
  command = apply

  variables {
    state_bucket = "acme-terraform-state"
    state_key    = "books/prod.tfstate"
    github_oidc  = { repository = "acme/books" }
  }

  assert {
    condition     = jsonencode(module.deployer.resource_keys.state_object) == jsonencode(["arn:aws:s3:::acme-terraform-state/books/prod.tfstate"])
    error_message = "state_bucket and state_key reach the deployer."
  }
  assert {
    condition     = output.deploy_role_arn == module.deployer.role_arn && output.deploy_role_arn != null && module.deployer.github_subject == "repo:acme/books:environment:prod"
    error_message = "github_oidc creates the prod role (trusting the prod environment) and deploy_role_arn outputs it."
  }
}

run "rejects_unknown_environment" {
  command = plan
  variables {
    environment = "staging"
  }
  expect_failures = [var.environment]
}


run "rejects_drain_longer_than_stop_timeout" {
  command = plan
  variables {
    settings = merge(var.settings, { deregistration_delay = 40 })
  }
  expect_failures = [var.settings]
}

run "rejects_pool_budget_over_the_connections_alarm" {
  command = plan
  variables {
    settings = merge(var.settings, { task = merge(var.settings.task, { max_capacity = 8 }) })
  }
  expect_failures = [var.settings]
}

run "rejects_one_az" {
  command = plan
  variables {
    settings = merge(var.settings, { az_count = 1 })
  }
  expect_failures = [var.settings]
}

# The per-user inputs that no module checks as they are given: the stack is their boundary (the env roots pass
# them on unchecked). certificate_arn, domain_name and hosted_zone_id are checked by modules/load_balancer, which
# uses them as given (its tests).
run "rejects_bad_project_region_host_and_initial_tag" {
  command = plan
  variables {
    project           = "Shop"
    aws_region        = "Ireland"
    app_hostname      = "https://books.example.com/"
    initial_image_tag = "latest"
  }
  expect_failures = [var.project, var.aws_region, var.app_hostname, var.initial_image_tag]
}

# Log settings: checked once here, for every module's log groups (each module's tests show it applies var.logs).
run "rejects_a_retention_cloudwatch_does_not_offer" {
  command = plan
  variables {
    environment  = "dev"
    default_tags = merge(var.default_tags, { Environment = "dev" })
    settings     = merge(var.settings, { log_retention_days = 13 })
  }
  expect_failures = [var.settings]
}

run "prod_keeps_logs_a_year" {
  command = plan
  variables {
    settings = merge(var.settings, { log_retention_days = 90 })
  }
  expect_failures = [var.settings]
}
