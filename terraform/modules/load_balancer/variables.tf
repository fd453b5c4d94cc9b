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

variable "network" {
  description = "Where the ALB sits (from the network module): the VPC of its target groups, its public subnets in at least two AZs (L7, FSBP ELB.13) and its security group."
  type        = object({ vpc_id = string, public_subnet_ids = list(string), security_group_id = string })

  validation {
    condition     = startswith(var.network.vpc_id, "vpc-") && length(var.network.public_subnet_ids) >= 2 && startswith(var.network.security_group_id, "sg-")
    error_message = "network.vpc_id must be a VPC id (vpc-...), network.public_subnet_ids must list subnets in at least two AZs and network.security_group_id must be a security group id (sg-...)."
  }
}

variable "targets" {
  description = "How the target groups reach and release the tasks: port, the one the containers listen on (modules/stack's app_port; unprivileged, the containers are not root), and deregistration_delay, the seconds a deregistering target keeps draining (DP-6: at most 30 and below the tasks' stopTimeout)."
  type        = object({ port = number, deregistration_delay = number })

  validation {
    condition     = var.targets.port >= 1024 && var.targets.port <= 65535 && var.targets.deregistration_delay >= 0 && var.targets.deregistration_delay <= 30
    error_message = "targets.port must be between 1024 and 65535, and targets.deregistration_delay between 0 and 30 seconds (the default 300 s adds minutes to every deploy)."
  }
}

variable "https" {
  description = "How the ALB serves HTTPS; with it, port 80 only redirects (L3). Either certificate_arn, an ACM certificate you manage, or domain_name (the DNS name users reach the app at, e.g. books.example.com) with hosted_zone_id, the Route 53 public hosted zone that holds it: an ACM certificate validated through DNS in that zone, the HTTPS listener on it and an alias A record to the ALB. {} serves plain HTTP, which prod refuses."
  type = object({
    certificate_arn = optional(string)
    domain_name     = optional(string)
    hosted_zone_id  = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition = alltrue([
      var.https.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/", coalesce(var.https.certificate_arn, "x"))),
      var.https.domain_name == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", coalesce(var.https.domain_name, "x"))),
      var.https.hosted_zone_id == null || can(regex("^Z[A-Z0-9]{1,31}$", coalesce(var.https.hosted_zone_id, "x"))),
    ])
    error_message = "https.certificate_arn must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/...), https.domain_name a lowercase DNS name without scheme, path or trailing dot (e.g. books.example.com), https.hosted_zone_id a Route 53 hosted zone id (Z...) without the /hostedzone/ prefix."
  }

  validation {
    condition     = (var.https.hosted_zone_id == null) == (var.https.domain_name == null) && !(var.https.certificate_arn != null && var.https.domain_name != null)
    error_message = "Set either https.certificate_arn or https.domain_name with https.hosted_zone_id (both or neither: the certificate is validated in that zone), not both: with a domain the module requests and validates its own certificate."
  }

  validation {
    condition     = !(var.environment == "prod" && var.https.certificate_arn == null && var.https.domain_name == null)
    error_message = "prod serves HTTPS only: set https.domain_name and https.hosted_zone_id (a DNS-validated certificate is created) or https.certificate_arn (CKV_AWS_2, FSBP ELB.1)."
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

variable "safeguards" {
  description = "What protects the ALB, each on by default and refused off in prod: deletion_protection (L5), access_logs to an S3 bucket this module creates (L6; objects expire after access_logs_retention_days, 1-3650), and enable_waf, a WAF web ACL (L8, about $5 + $1/rule per month) with AWS managed rules and a per-IP rate-based rule blocking a client over waf_rate_limit requests per 5-minute window (100-2000000000, AWS WAF limits). modules/stack passes settings.alb."
  type = object({
    deletion_protection        = optional(bool, true)
    access_logs                = optional(bool, true)
    access_logs_retention_days = optional(number, 90)
    enable_waf                 = optional(bool, true)
    waf_rate_limit             = optional(number, 2000)
  })
  default  = {}
  nullable = false

  # Each switch with the control that asks for it; the message names every one that is off.
  validation {
    condition     = var.environment != "prod" || alltrue([var.safeguards.deletion_protection, var.safeguards.access_logs, var.safeguards.enable_waf])
    error_message = "prod keeps every ALB safeguard on; off here: ${join(", ", [for k, control in { deletion_protection = "FSBP ELB.6", access_logs = "FSBP ELB.5", enable_waf = "CKV2_AWS_28, FSBP ELB.16" } : "${k} (${control})" if !var.safeguards[k]])}."
  }

  validation {
    condition     = var.safeguards.access_logs_retention_days >= 1 && var.safeguards.access_logs_retention_days <= 3650 && var.safeguards.waf_rate_limit >= 100 && var.safeguards.waf_rate_limit <= 2000000000
    error_message = "safeguards.access_logs_retention_days must be between 1 and 3650, and safeguards.waf_rate_limit between 100 and 2000000000 (AWS WAF limits)."
  }
}

variable "logs" {
  description = "Retention (days) and customer-managed KMS key of the WAF log group. Validated once, in modules/stack (settings.log_retention_days; prod: 365 days or more, always the stack's key)."
  type        = object({ retention_days = number, kms_key_arn = string })
}
