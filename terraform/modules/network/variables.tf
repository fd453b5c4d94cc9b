variable "name" {
  description = "Name prefix for every network resource (e.g. library-dev)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment this network belongs to: dev or prod. prod refuses the unsafe settings below (modules/stack checks it is one of the two)."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 CIDR of the VPC, /16 to /20; each tier gets one 1/16th of it per AZ."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && tonumber(split("/", var.cidr_block)[1]) >= 16 && tonumber(split("/", var.cidr_block)[1]) <= 20
    error_message = "cidr_block must be a valid IPv4 CIDR with a prefix between /16 and /20."
  }
}

variable "availability_zones" {
  description = "Availability zones to spread the subnets over: 2 to 4 distinct names (the ALB needs 2, ELB.13)."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 4 && length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "availability_zones must list 2 to 4 distinct availability zones."
  }
}

variable "egress_mode" {
  description = "How tasks in the private subnets reach ECR, CloudWatch Logs and Secrets Manager: \"endpoints\" (interface VPC endpoints, no internet egress at all; safe default), \"nat\" (NAT gateways) or \"nat_instance\" (one NAT instance, dev only)."
  type        = string
  default     = "endpoints"

  validation {
    condition     = contains(["nat", "nat_instance", "endpoints"], var.egress_mode)
    error_message = "egress_mode must be \"endpoints\", \"nat\" or \"nat_instance\"."
  }

  validation {
    condition     = !(var.environment == "prod" && var.egress_mode == "nat_instance")
    error_message = "egress_mode = \"nat_instance\" is not allowed in prod: one instance in one AZ, no failover. Use \"endpoints\" or \"nat\"."
  }
}

variable "nat_instance_type" {
  description = "Instance type of the NAT instance (egress_mode = \"nat_instance\"); arm64 (Graviton), since its AMI is AL2023 arm64."
  type        = string
  default     = "t4g.nano"

  validation {
    condition     = can(regex("^[a-z][0-9][a-z]*g[a-z]*\\.[a-z0-9]+$", var.nat_instance_type))
    error_message = "nat_instance_type must be a Graviton (arm64) type such as t4g.nano: the AMI is AL2023 arm64."
  }
}

variable "extra_interface_endpoints" {
  description = "Further interface endpoints in endpoints mode, by service suffix (e.g. [\"ssmmessages\"] for ECS Exec)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.extra_interface_endpoints : can(regex("^[a-z0-9.-]+$", e))])
    error_message = "extra_interface_endpoints must be service suffixes such as ssmmessages or sts."
  }
}

variable "single_nat_gateway" {
  description = "With egress_mode = \"nat\": one NAT gateway for all AZs (cheap, but one AZ failure cuts egress everywhere). Safe default false = one per AZ; refused in prod."
  type        = bool
  default     = false

  validation {
    condition     = !(var.environment == "prod" && var.single_nat_gateway)
    error_message = "single_nat_gateway = true is not allowed in prod: an AZ outage would cut every task's egress. Use one NAT per AZ or egress_mode = \"endpoints\"."
  }
}

variable "flow_logs" {
  description = "Record VPC flow logs (ALL traffic) to CloudWatch Logs (docs/reliability.md#s6). Safe default true; refused as false in prod."
  type        = bool
  default     = true

  validation {
    condition     = !(var.environment == "prod" && !var.flow_logs)
    error_message = "flow_logs = false is not allowed in prod (CKV2_AWS_11 / FSBP EC2.6)."
  }
}

variable "logs" {
  description = "Retention (days) and customer-managed KMS key of the flow-log group (C3, CKV_AWS_338). Validated once, in modules/stack (settings.log_retention_days; prod: 365 days or more, always the stack's key)."
  type        = object({ retention_days = number, kms_key_arn = string })
}

variable "app_port" {
  description = "Port the containers listen on (the ALB reaches tasks only on it)."
  type        = number
  default     = 8000

  validation {
    condition     = var.app_port >= 1024 && var.app_port <= 65535 && floor(var.app_port) == var.app_port
    error_message = "app_port must be an unprivileged port, 1024-65535 (the container runs as non-root)."
  }
}

variable "db_port" {
  description = "PostgreSQL port (5432; a non-default port is waived, FSBP RDS.23)."
  type        = number
  default     = 5432

  validation {
    condition     = var.db_port >= 1150 && var.db_port <= 65535 && floor(var.db_port) == var.db_port
    error_message = "db_port must be between 1150 and 65535 (RDS range)."
  }
}
