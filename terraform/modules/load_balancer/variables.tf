variable "name" {
  description = "Name of the ALB (e.g. library-dev) and the Name tag of its target groups; at most 25 characters."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,23}[a-z0-9]$", var.name))
    error_message = "name must be 3-25 lowercase letters, digits or hyphens."
  }
}

variable "environment" {
  description = "dev or prod; prod refuses the unsafe settings below (modules/stack checks it is one of the two)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the target groups."
  type        = string

  validation {
    condition     = startswith(var.vpc_id, "vpc-")
    error_message = "vpc_id must be a VPC id (vpc-...)."
  }
}

variable "public_subnet_ids" {
  description = "Public subnets of the ALB, in at least two AZs (L7, FSBP ELB.13)."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "public_subnet_ids must list subnets in at least two AZs."
  }
}

variable "security_group_id" {
  description = "Security group of the ALB (from the network module)."
  type        = string
}

variable "target_port" {
  description = "Port of the tasks behind the target groups."
  type        = number
  default     = 8000

  validation {
    condition     = var.target_port >= 1024 && var.target_port <= 65535
    error_message = "target_port must be between 1024 and 65535."
  }
}

variable "certificate_arn" {
  description = "ACM certificate ARN for the HTTPS listener; with it, port 80 only redirects (L3). Prod needs it or domain_name (null with no domain refused)."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/...)."
  }

  validation {
    condition     = !(var.environment == "prod" && var.certificate_arn == null && var.domain_name == null)
    error_message = "prod serves HTTPS only: set domain_name and hosted_zone_id (a DNS-validated certificate is created) or certificate_arn (CKV_AWS_2, FSBP ELB.1)."
  }

  validation {
    condition     = !(var.certificate_arn != null && var.domain_name != null)
    error_message = "Set either certificate_arn or domain_name + hosted_zone_id, not both: with a domain the module requests and validates its own certificate."
  }
}

variable "domain_name" {
  description = "DNS name users reach the app at (e.g. books.example.com): with hosted_zone_id, an ACM certificate validated through DNS in that zone, the HTTPS listener on it and an alias A record to the ALB. Both or neither."
  type        = string
  default     = null

  validation {
    condition     = var.domain_name == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", coalesce(var.domain_name, "x")))
    error_message = "domain_name must be a lowercase DNS name without scheme, path or trailing dot (e.g. books.example.com)."
  }
}

variable "hosted_zone_id" {
  description = "Route 53 public hosted zone that holds domain_name (the certificate's validation record and the alias go there). Both or neither with domain_name."
  type        = string
  default     = null

  validation {
    condition     = (var.hosted_zone_id == null) == (var.domain_name == null)
    error_message = "domain_name and hosted_zone_id go together: set both (the certificate is validated in that zone) or neither."
  }

  validation {
    condition     = var.hosted_zone_id == null || can(regex("^Z[A-Z0-9]{1,31}$", coalesce(var.hosted_zone_id, "x")))
    error_message = "hosted_zone_id must be a Route 53 hosted zone id (Z...), without the /hostedzone/ prefix."
  }
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener: TLS 1.2+ only (L4)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition = contains([
      "ELBSecurityPolicy-TLS13-1-2-2021-06",
      "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
      "ELBSecurityPolicy-TLS13-1-3-2021-06",
    ], var.ssl_policy)
    error_message = "ssl_policy must be one of the TLS 1.2+/1.3 policies: ELBSecurityPolicy-TLS13-1-2-2021-06, -TLS13-1-2-Res-2021-06, -TLS13-1-3-2021-06."
  }
}

variable "deregistration_delay" {
  description = "Seconds a deregistering target keeps draining (DP-6): at most 30 and below the tasks' stopTimeout."
  type        = number
  default     = 15

  validation {
    condition     = var.deregistration_delay >= 0 && var.deregistration_delay <= 30
    error_message = "deregistration_delay must be between 0 and 30 seconds (the default 300 s adds minutes to every deploy)."
  }
}

variable "deletion_protection" {
  description = "ALB deletion protection (L5). Safe default true; refused as false in prod."
  type        = bool
  default     = true

  validation {
    condition     = !(var.environment == "prod" && !var.deletion_protection)
    error_message = "prod keeps ALB deletion protection on (FSBP ELB.6)."
  }
}

variable "access_logs" {
  description = "Write ALB access logs to an S3 bucket this module creates (L6). Safe default true; refused as false in prod."
  type        = bool
  default     = true

  validation {
    condition     = !(var.environment == "prod" && !var.access_logs)
    error_message = "prod keeps ALB access logs (FSBP ELB.5)."
  }
}

variable "access_logs_retention_days" {
  description = "Days before access-log objects expire."
  type        = number
  default     = 90

  validation {
    condition     = var.access_logs_retention_days >= 1 && var.access_logs_retention_days <= 3650
    error_message = "access_logs_retention_days must be between 1 and 3650."
  }
}

variable "enable_waf" {
  description = "Attach a WAF web ACL with a per-IP rate-based rule and AWS managed rules (L8, about $5 + $1/rule per month). Safe default true; refused as false in prod."
  type        = bool
  default     = true

  validation {
    condition     = !(var.environment == "prod" && !var.enable_waf)
    error_message = "prod sits behind WAF (CKV2_AWS_28, FSBP ELB.16)."
  }
}

variable "waf_rate_limit" {
  description = "Requests per client IP per 5-minute window before WAF blocks it."
  type        = number
  default     = 2000

  validation {
    condition     = var.waf_rate_limit >= 100 && var.waf_rate_limit <= 2000000000
    error_message = "waf_rate_limit must be between 100 and 2000000000 (AWS WAF limits)."
  }
}

variable "logs" {
  description = "Retention (days) and customer-managed KMS key of the WAF log group. Validated once, in modules/stack (settings.log_retention_days; prod: 365 days or more, always the stack's key)."
  type        = object({ retention_days = number, kms_key_arn = string })
}
