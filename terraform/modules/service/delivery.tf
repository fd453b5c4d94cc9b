# Progressive delivery (issue 27): a service ECS deploys with CANARY, LINEAR or BLUE_GREEN. Provider 5.100
# cannot express deploymentConfiguration.strategy (nor its canary, linear, bake time and lifecycle hooks) or the
# load balancer's advancedConfiguration (alternate target group, listener rules, infrastructure role): the deploy
# CLI sets those through UpdateService from the stack's `delivery` output (terraform/README.md, "Progressive
# delivery"). This resource has aws_ecs_service.this's arguments; lifecycle.ignore_changes, which cannot depend
# on a variable, is the one difference, so the two strategies are two resources and `progressive` picks one.

variable "progressive" {
  description = "ECS deploys this service with a blue/green-based strategy (CANARY, LINEAR, BLUE_GREEN; set by the deploy CLI): aws_ecs_service.progressive, which leaves the load balancer ECS swaps after each deployment to ECS. false: ROLLING, aws_ecs_service.this."
  type        = bool
  default     = false
  nullable    = false
}

locals {
  service = one(concat(aws_ecs_service.this[*], aws_ecs_service.progressive[*]))
}

# aws_ecs_service.this had no count before issue 27: its state moves to this[0] (the rolling case) unchanged.
# Switching an existing environment between ROLLING and a progressive strategy moves the service between the two
# addresses, which a moved block cannot say conditionally: run
#   terraform state mv 'module.stack.module.service["<svc>"].aws_ecs_service.this[0]' 'module.stack.module.service["<svc>"].aws_ecs_service.progressive[0]'
# (or back) before the apply, or the plan replaces the service (`deploy init` refuses such a plan).
moved {
  from = aws_ecs_service.this
  to   = aws_ecs_service.this[0]
}

resource "aws_ecs_service" "progressive" {
  count = var.progressive ? 1 : 0

  name            = var.name
  cluster         = var.cluster_arn
  task_definition = aws_ecs_task_definition.this.arn
  desired_count   = var.task.desired_count
  # E8: Fargate on LATEST, either on demand (launch type) or, as a dev choice, on Fargate Spot through a
  # capacity provider strategy (the two are mutually exclusive in CreateService).
  launch_type      = var.task.fargate_spot ? null : "FARGATE"
  platform_version = "LATEST"

  # Fargate Spot: up to 70 % off, tasks can be stopped with a two-minute warning, X86_64 only (ECS Developer
  # Guide, "AWS Fargate capacity providers", considerations). The cluster associates FARGATE_SPOT.
  dynamic "capacity_provider_strategy" {
    for_each = var.task.fargate_spot ? [1] : []
    content {
      capacity_provider = "FARGATE_SPOT"
      weight            = 1
      base              = 0
    }
  }

  deployment_minimum_healthy_percent = 100 # DP-2
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = var.task.health_check_grace_period_seconds # DP-3
  enable_execute_command             = var.enable_execute_command                 # E12
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"
  wait_for_steady_state              = false

  deployment_controller {
    type = "ECS"
  }

  deployment_circuit_breaker { # DP-1
    enable   = true
    rollback = true
  }

  dynamic "alarms" { # DP-10
    for_each = length(var.deployment_alarm_names) > 0 ? [1] : []
    content {
      enable      = true
      rollback    = true
      alarm_names = var.deployment_alarm_names
    }
  }

  network_configuration { # E1
    subnets          = var.subnet_ids
    security_groups  = var.security_group_ids
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = var.target_group_arn
    container_name   = var.container_name
    container_port   = var.container_port
  }

  lifecycle {
    # As aws_ecs_service.this, and: after each successful deployment ECS swaps the primary and the alternate
    # target group, so loadBalancers[0].targetGroupArn names the group Terraform created as the alternate (ECS
    # Developer Guide, "Amazon ECS blue/green deployments"). Provider 5.100 cannot express the
    # advancedConfiguration the deploy CLI sets beside it (UpdateService), so sending load_balancer again would
    # drop it as well as point production at the emptied group.
    ignore_changes = [task_definition, desired_count, load_balancer]
  }

  depends_on = [terraform_data.listener_rules]
}


