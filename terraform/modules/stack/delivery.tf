# Progressive delivery (issue 27): how ECS deploys the services, chosen per environment (the literal `delivery` in
# each env root's main.tf), checked here once, built by modules/load_balancer (delivery.tf), modules/service
# (delivery.tf) and modules/delivery, and handed to the deploy CLI as services.<svc>.delivery (outputs.tf).

variable "delivery" {
  description = "How ECS deploys the services: strategy ROLLING, CANARY, LINEAR or BLUE_GREEN (ECS's DeploymentStrategy values); bake_time_minutes (both revisions run after the production shift, 0-1440); canary { percent (0.1-100, steps of 0.1), bake_time_minutes (0-1440) } with CANARY only; linear { step_percent (3-100, steps of 0.1), step_bake_time_minutes (0-1440) } with LINEAR only; rollback_alarms' thresholds (error_rate_percent of 5xx responses, with at least min_requests requests a minute; p99_seconds; evaluation_minutes in a row). Default ROLLING, which builds nothing of the rest."
  type = object({
    strategy          = string
    bake_time_minutes = number
    canary            = optional(object({ percent = number, bake_time_minutes = number }))
    linear            = optional(object({ step_percent = number, step_bake_time_minutes = number }))
    rollback_alarms = optional(object({
      error_rate_percent = optional(number, 1)
      min_requests       = optional(number, 10)
      p99_seconds        = optional(number, 2)
      evaluation_minutes = optional(number, 2)
    }), {})
  })
  default  = { strategy = "ROLLING", bake_time_minutes = 0 }
  nullable = false

  # Ranges: ECS API Reference, "DeploymentConfiguration" (bakeTimeInMinutes), "CanaryConfiguration" and
  # "LinearConfiguration".
  validation {
    condition = contains(["ROLLING", "CANARY", "LINEAR", "BLUE_GREEN"], var.delivery.strategy) && (
      (var.delivery.canary != null) == (var.delivery.strategy == "CANARY")) && (
    (var.delivery.linear != null) == (var.delivery.strategy == "LINEAR"))
    error_message = "delivery.strategy must be ROLLING, CANARY, LINEAR or BLUE_GREEN, with delivery.canary set for CANARY only and delivery.linear for LINEAR only."
  }
  validation {
    condition = alltrue([for m in compact([
      tostring(var.delivery.bake_time_minutes),
      try(tostring(var.delivery.canary.bake_time_minutes), null),
      try(tostring(var.delivery.linear.step_bake_time_minutes), null),
    ]) : tonumber(m) >= 0 && tonumber(m) <= 1440 && floor(tonumber(m)) == tonumber(m)])
    error_message = "delivery.bake_time_minutes, canary.bake_time_minutes and linear.step_bake_time_minutes must be whole minutes from 0 to 1440."
  }
  validation {
    condition = (
      (var.delivery.canary == null || (try(var.delivery.canary.percent >= 0.1 && var.delivery.canary.percent <= 100 && abs(var.delivery.canary.percent * 10 - floor(var.delivery.canary.percent * 10 + 0.5)) < 1e-9, false))) &&
      (var.delivery.linear == null || (try(var.delivery.linear.step_percent >= 3 && var.delivery.linear.step_percent <= 100 && abs(var.delivery.linear.step_percent * 10 - floor(var.delivery.linear.step_percent * 10 + 0.5)) < 1e-9, false)))
    )
    error_message = "delivery.canary.percent must be 0.1-100 and delivery.linear.step_percent 3-100, in steps of 0.1."
  }
  validation {
    condition = (var.delivery.rollback_alarms.error_rate_percent > 0 && var.delivery.rollback_alarms.error_rate_percent <= 100 &&
      var.delivery.rollback_alarms.min_requests >= 1 && var.delivery.rollback_alarms.p99_seconds > 0 &&
    var.delivery.rollback_alarms.evaluation_minutes >= 1 && var.delivery.rollback_alarms.evaluation_minutes <= 10 && floor(var.delivery.rollback_alarms.evaluation_minutes) == var.delivery.rollback_alarms.evaluation_minutes)
    error_message = "delivery.rollback_alarms: error_rate_percent in (0, 100], min_requests >= 1, p99_seconds > 0, evaluation_minutes a whole number from 1 to 10."
  }
}

locals {
  progressive = var.delivery.strategy != "ROLLING"
  # The strategy and its steps as the contract spells them (services.<svc>.delivery, with what modules/delivery
  # built): canary only with CANARY, linear only with LINEAR.
  delivery_strategy = {
    strategy          = var.delivery.strategy
    bake_time_minutes = var.delivery.bake_time_minutes
    canary            = var.delivery.strategy == "CANARY" ? { percent = var.delivery.canary.percent, bake_time_minutes = var.delivery.canary.bake_time_minutes } : null
    linear            = var.delivery.strategy == "LINEAR" ? { step_percent = var.delivery.linear.step_percent, step_bake_time_minutes = var.delivery.linear.step_bake_time_minutes } : null
  }
  # The test listener rules send requests with this header to the new revision (modules/load_balancer); the smoke
  # hook and the deploy CLI send it.
  test_traffic_header = { name = "x-deploy-test", value = var.environment }
}

module "delivery" {
  source = "../delivery"

  name                = local.name
  progressive         = local.progressive
  rollback_alarms     = var.delivery.rollback_alarms
  test_traffic_header = local.test_traffic_header
  services = {
    for k in local.service_keys : k => {
      service_name  = local.service_names[k]
      load_balancer = lookup(module.load_balancer.delivery, k, null)
    }
  }
  alb  = { arn_suffix = module.load_balancer.arn_suffix, app_url = local.app_url }
  logs = local.logs
  aws  = local.aws
}
