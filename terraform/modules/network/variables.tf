variable "name" {
  description = "Name prefix for every network resource (e.g. library-dev)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment this network belongs to: dev or prod. prod refuses the unsafe settings (modules/stack checks it is one of the two)."
  type        = string
}

variable "availability_zones" {
  description = "Availability zones to spread the subnets over: 2 to 4 distinct names (the ALB needs 2, ELB.13)."
  type        = list(string)

  validation {
    condition     = contains([2, 3, 4], length(var.availability_zones)) && length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "availability_zones must list 2 to 4 distinct availability zones."
  }
}

variable "settings" {
  description = <<-EOT
    What the network is, each with a safe default (the VPC's precondition checks them all, checks.tf; prod refuses the unsafe ones):
    cidr_block of the VPC, /16 to /20 (each tier gets one 1/16th of it per AZ);
    egress_mode, how tasks in the private subnets reach ECR, CloudWatch Logs and Secrets Manager: "endpoints" (interface VPC endpoints, no internet egress at all),
    "nat" (NAT gateways) or "nat_instance" (one NAT instance, dev only) of nat_instance_type (arm64, Graviton: its AMI is AL2023 arm64);
    extra_interface_endpoints in endpoints mode, by service suffix (e.g. ["ssmmessages"] for ECS Exec);
    single_nat_gateway: with "nat", one NAT gateway for all AZs (cheap, but one AZ failure cuts egress everywhere; default one per AZ);
    flow_logs: record VPC flow logs (ALL traffic) to CloudWatch Logs (docs/reliability.md#s6);
    app_port the containers listen on (the ALB reaches tasks only on it) and db_port of PostgreSQL (5432; a non-default port is waived, FSBP RDS.23).
  EOT
  type = object({
    cidr_block                = optional(string, "10.0.0.0/16")
    egress_mode               = optional(string, "endpoints")
    nat_instance_type         = optional(string, "t4g.nano")
    extra_interface_endpoints = optional(list(string), [])
    single_nat_gateway        = optional(bool, false)
    flow_logs                 = optional(bool, true)
    app_port                  = optional(number, 8000)
    db_port                   = optional(number, 5432)
  })
  default  = {}
  nullable = false
}

variable "logs" {
  description = "Retention (days) and customer-managed KMS key of the flow-log group (C3, CKV_AWS_338). Validated once, in modules/stack (settings.log_retention_days; prod: 365 days or more, always the stack's key)."
  type        = object({ retention_days = number, kms_key_arn = string })
}
