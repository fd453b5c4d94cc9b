variable "name" {
  description = "Stack name (<project>-<environment>): the policy is <name>-deployer, the GitHub role <name>-deploy."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,45}$", var.name))
    error_message = "name must be 2-46 lowercase letters, digits or hyphens (IAM names append -deployer)."
  }
}

variable "environment" {
  description = "dev or prod: decides the GitHub subject the role trusts (dev: the main branch; prod: the prod environment)."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be \"dev\" or \"prod\"."
  }
}

variable "actions_file" {
  description = "Path of the actions file; null is this module's actions.json, the one file the deploy CLI's tests read too. (Tests point it at broken copies.)"
  type        = string
  default     = null
}

variable "targets" {
  description = "Names of this stack's resources the deploy CLI works on (ARNs are built from them): the cluster, the services with their task families, the migrate family, the ECR repositories, the log groups (services and migrate), the database instance and the execution and task roles the task definitions pass to ECS."
  type = object({
    cluster_name        = string
    services            = map(object({ service_name = string, task_family = string }))
    migrate_task_family = string
    # The app repositories and, with tracing on, <name>/otel-collector: the deploy CLI mirrors the pinned collector
    # image into it (DescribeImages, docker push).
    ecr_repository_names   = list(string)
    log_group_names        = list(string)
    db_instance_identifier = string
    execution_role_names   = list(string)
    task_role_names        = list(string)
    # Progressive delivery: the roles UpdateService hands to ECS (the infrastructure role for load balancers and the
    # smoke hook's invoke role); none with ROLLING.
    delivery_role_names = optional(list(string), [])
  })

  validation {
    condition     = length(var.targets.services) >= 1 && length(var.targets.ecr_repository_names) >= 1 && length(var.targets.log_group_names) >= 1 && length(var.targets.execution_role_names) >= 1
    error_message = "targets needs at least one service, repository, log group and execution role."
  }

  validation {
    condition = alltrue([for n in concat([var.targets.cluster_name, var.targets.migrate_task_family, var.targets.db_instance_identifier], var.targets.execution_role_names, var.targets.task_role_names, var.targets.delivery_role_names, var.targets.ecr_repository_names,
      flatten([for s in values(var.targets.services) : [s.service_name, s.task_family]])) : length(n) > 0 && !strcontains(n, "*") && !strcontains(n, "?")
    ])
    error_message = "targets names are exact names: no wildcards (* or ?)."
  }
}

variable "default_tags" {
  description = "The AWS provider's default_tags of the env root (Project, Environment, ManagedBy). Terraform's task-definition revisions carry them and the deploy CLI copies them onto each revision it registers, so the policy lets it tag with these keys (Environment only with this environment), besides its own deploy:* keys."
  type        = map(string)

  validation {
    condition     = alltrue([for k in keys(var.default_tags) : !can(regex("^(?i)(aws|deploy):", k)) && !strcontains(k, "*") && !strcontains(k, "?")])
    error_message = "default_tags keys are exact tag keys, not aws: (reserved) or deploy: (the CLI's own) ones."
  }

  validation {
    condition     = try(var.default_tags["Environment"], var.environment) == var.environment
    error_message = "default_tags.Environment, when set, is the environment (the policy pins aws:RequestTag/Environment to it)."
  }
}

variable "terraform_state" {
  description = "S3 bucket and key of this environment's Terraform state: the CLI runs `terraform output -json`, which reads it."
  type = object({
    bucket = string
    key    = string
  })

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.terraform_state.bucket)) && length(var.terraform_state.key) > 0 && !strcontains(var.terraform_state.key, "*")
    error_message = "terraform_state.bucket must be an S3 bucket name and terraform_state.key an exact object key."
  }
}

variable "github_oidc" {
  description = "Let GitHub Actions assume a role with the deployer policy through OIDC: repository = \"owner/repo\"; subject overrides what follows repo:<owner>/<repo>: in the trusted sub claim (default: dev ref:refs/heads/main, prod environment:prod); provider_arn reuses the account's existing token.actions.githubusercontent.com provider (null creates it). null: no role (the default)."
  type = object({
    repository   = string
    subject      = optional(string)
    provider_arn = optional(string)
  })
  default = null

  validation {
    condition     = var.github_oidc == null || can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", try(var.github_oidc.repository, "")))
    error_message = "github_oidc.repository must be exactly owner/repo (no wildcard: docs/reliability.md#i4)."
  }

  validation {
    condition     = var.github_oidc == null || try(var.github_oidc.subject, null) == null || can(regex("^(ref:refs/heads/[A-Za-z0-9._/-]+|environment:[A-Za-z0-9._-]+)$", try(var.github_oidc.subject, "")))
    error_message = "github_oidc.subject must be ref:refs/heads/<branch> or environment:<name>, exactly (no wildcard: docs/reliability.md#i4)."
  }

  validation {
    condition     = var.github_oidc == null || try(var.github_oidc.provider_arn, null) == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", try(var.github_oidc.provider_arn, "")))
    error_message = "github_oidc.provider_arn must be the ARN of the account's token.actions.githubusercontent.com OIDC provider."
  }
}
