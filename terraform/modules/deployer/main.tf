# The deployer: one IAM managed policy that allows every AWS call the deploy CLI makes (deploy and the day-two
# commands) on this stack's resources and nothing more, and optionally a role GitHub Actions assumes through OIDC.
#
# The actions live in ONE file, actions.json, shared with the deploy CLI's tests (every SDK command the CLI sends
# must map to an allowed action, and every allowed action must be used). Each statement names a resource *key*;
# this file maps each key to this stack's ARNs (and the conditions that go with them) and refuses an unknown key.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  # aws, aws-cn or aws-us-gov: the second field of the caller's own ARN (IAM User Guide, "IAM identifiers", ARNs).
  partition = split(":", data.aws_caller_identity.current.arn)[1]

  actions_file = coalesce(var.actions_file, "${path.module}/actions.json")
  statements   = try(jsondecode(file(local.actions_file)).statements, [])

  # ARNs built from names (known at plan), in the formats of the Service Authorization Reference's resource types.
  ecs          = "arn:${local.partition}:ecs:${local.region}:${local.account_id}"
  cluster_arn  = "${local.ecs}:cluster/${var.targets.cluster_name}"
  service_arns = sort([for s in values(var.targets.services) : "${local.ecs}:service/${var.targets.cluster_name}/${s.service_name}"])
  # task-definition/<family>:<revision>: every revision of a family.
  service_family_arns = sort([for s in values(var.targets.services) : "${local.ecs}:task-definition/${s.task_family}:*"])
  migrate_family_arn  = "${local.ecs}:task-definition/${var.targets.migrate_task_family}:*"
  family_arns         = concat(local.service_family_arns, [local.migrate_family_arn])

  # log-group:<name> for FilterLogEvents and StartLiveTail, log-group:<name>:log-stream:<stream> for GetLogEvents,
  # and the group ARN as DescribeLogGroups returns it (with a trailing :*): one pattern <name>* for the three, so
  # the policy fits 6,144 characters (it also matches a group whose name starts with <name>, which this stack does
  # not create).
  log_group_arns      = [for g in sort(var.targets.log_group_names) : "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${g}*"]
  role_arns           = sort([for r in concat(var.targets.execution_role_names, var.targets.task_role_names) : "arn:${local.partition}:iam::${local.account_id}:role/${r}"])
  delivery_role_arns  = sort([for r in var.targets.delivery_role_names : "arn:${local.partition}:iam::${local.account_id}:role/${r}"])
  execution_role_arns = sort([for r in var.targets.execution_role_names : "arn:${local.partition}:iam::${local.account_id}:role/${r}"])

  # Each resource key: the ARNs a statement with that key allows, and the condition that goes with them.
  resource_keys = {
    # Actions AWS gives no resource-level permission ("Actions, resources, and condition keys for ..." list no
    # resource type for sts:GetCallerIdentity, ecr:GetAuthorizationToken, ecs:DescribeTaskDefinition,
    # ecs:ListTaskDefinitions, logs:DescribeLogGroups, elasticloadbalancing:Describe*, ec2:Describe*): "*".
    none = { resources = ["*"], condition = null }

    cluster = { resources = [local.cluster_arn], condition = null }

    # ecs:ListTasks: the reference names container-instance*, which Fargate tasks do not have; AWS evaluates a
    # cluster-wide ListTasks on "*", scoped by the ecs:cluster condition key (ECS Developer Guide, "Identity-based
    # policy examples", list tasks in a cluster; awsdocs/amazon-ecs-developer-guide#211).
    in_cluster = { resources = ["*"], condition = { ArnEquals = { "ecs:cluster" = local.cluster_arn } } }

    # service/<cluster>/<service>. UpdateService may only point a service at revisions of the two service families
    # (condition key ecs:task-definition; IfExists: a desired-count update names no task definition), and tagging
    # the services takes only deploy:* tag keys (aws:TagKeys; ForAllValues is true when a call names none, as every
    # other call on a service does). One key for both: the policy must fit 6,144 characters.
    services = {
      resources = local.service_arns
      condition = {
        ArnLikeIfExists           = { "ecs:task-definition" = local.service_family_arns }
        "ForAllValues:StringLike" = { "aws:TagKeys" = ["deploy:*"] }
      }
    }

    # ecs:RegisterTaskDefinition takes the task-definition resource type (task-definition/<family>:<revision>),
    # so registration is scoped to the three families. Its other condition keys (ecs:privileged,
    # ecs:compute-compatibility, ecs:task-cpu, ecs:task-memory) are not used: the CLI copies Terraform's revision
    # as it is, and a wrong guess would block every deploy. DescribeTaskDefinition and ListTaskDefinitions have no
    # resource type and no condition key at all: they are "*" (key none).
    task_definition_families = { resources = local.family_arns, condition = null }

    # Tags given to RegisterTaskDefinition are authorized as ecs:TagResource with ecs:CreateAction (ECS Developer
    # Guide, "Grant permission to tag resources on creation"): the CLI's deploy:* keys and the provider's default tags,
    # which it copies from Terraform's revision (cost allocation), with Environment pinned to this environment.
    # (Pinning every default tag's value would overflow the 6,144 characters with the longest names.)
    task_definition_tags = {
      resources = local.family_arns
      condition = {
        StringEquals              = { "ecs:CreateAction" = "RegisterTaskDefinition" }
        "ForAllValues:StringLike" = { "aws:TagKeys" = concat(["deploy:*"], sort(keys(var.default_tags))) }
        StringEqualsIfExists      = { "aws:RequestTag/Environment" = var.environment }
      }
    }

    # RunTask is authorized on the task definition; ecs:cluster keeps it in this cluster.
    migrate_task_definition = {
      resources = [local.migrate_family_arn]
      condition = { ArnEquals = { "ecs:cluster" = local.cluster_arn } }
    }
    tasks = { resources = ["${local.ecs}:task/${var.targets.cluster_name}/*"], condition = null }

    # The services' deployments (ECS Developer Guide, "Permissions required for viewing Amazon ECS service
    # deployments"): DescribeServiceDeployments and StopServiceDeployment name a
    # service-deployment/<cluster>/<service>/<id> (Service Authorization Reference, "Actions, resources, and
    # condition keys for Amazon Elastic Container Service"); ListServiceDeployments takes the service itself (key
    # services). Those of this cluster, which holds this stack's two services only: one ARN per service would not
    # fit the policy's 6,144 characters with the longest names.
    service_deployments = {
      resources = ["${local.ecs}:service-deployment/${var.targets.cluster_name}/*"]
      condition = null
    }

    ecr_repositories = {
      # The apps' repositories and the collector's, which the CLI fills from the pinned upstream image.
      resources = sort([for r in var.targets.ecr_repository_names : "arn:${local.partition}:ecr:${local.region}:${local.account_id}:repository/${r}"])
      condition = null
    }
    log_groups = { resources = local.log_group_arns, condition = null }

    # cloudwatch:DescribeAlarms takes the alarm resource type; the CLI lists every alarm (no name prefix) and
    # keeps those of its services, so the scope is this account's alarms in this region. (The API reference:
    # composite alarms need the permission on "*"; the CLI reads metric alarms only.)
    alarms = { resources = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:*"], condition = null }
    # pause and resume turn the actions of this stack's alarms off and on (every alarm the stack creates is named
    # <name>-...); cloudwatch:DisableAlarmActions and EnableAlarmActions take the alarm resource type.
    stack_alarms = { resources = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name}-*"], condition = null }

    # rds:StopDBInstance lists rds:CreateDBSnapshot as dependent only for a snapshot on stop, which the CLI does not take.
    db_instance = { resources = ["arn:${local.partition}:rds:${local.region}:${local.account_id}:db:${var.targets.db_instance_identifier}"], condition = null }

    # The S3 backend lists the bucket under <workspace_key_prefix>/ (default "env:/") to find the workspaces
    # (hashicorp/terraform internal/backend/remote-state/s3 Workspaces); the default workspace's state is the key.
    # terraform output and init take no lock (no .tflock access): output only reads, init finds the state exists.
    state_bucket = {
      resources = ["arn:${local.partition}:s3:::${var.terraform_state.bucket}"]
      condition = { StringEquals = { "s3:prefix" = ["env:/"] } }
    }
    state_object = { resources = ["arn:${local.partition}:s3:::${var.terraform_state.bucket}/${var.terraform_state.key}"], condition = null }

    # iam:PassRole only to ECS tasks (IAM User Guide, "Grant a user permissions to pass a role to an AWS service":
    # iam:PassedToService; ECS Developer Guide, "Amazon ECS EventBridge IAM role": ecs-tasks.amazonaws.com).
    passable_roles = {
      resources = local.role_arns
      condition = { StringEquals = { "iam:PassedToService" = "ecs-tasks.amazonaws.com" } }
    }
    # Progressive delivery: UpdateService passes the infrastructure role for load balancers and the smoke hook's
    # invoke role to ECS itself (ECS Developer Guide, "Amazon ECS infrastructure IAM role for load balancers" and
    # "Permissions required for Lambda functions in Amazon ECS blue/green deployments": both trust ecs.amazonaws.com).
    # No such role with ROLLING: the statement is then left out of the policy.
    delivery_roles = {
      resources = local.delivery_role_arns
      condition = { StringEquals = { "iam:PassedToService" = "ecs.amazonaws.com" } }
    }
    # The execution roles, for iam:SimulatePrincipalPolicy (role resource type; verify asks what an execution role
    # may do; no service is involved, so no PassedToService).
    execution_roles = { resources = local.execution_role_arns, condition = null }
  }

  # The keys of roles the deployer may pass, each to one service principal (their condition): iam:PassRole only.
  passrole_keys = ["passable_roles", "delivery_roles"]

  # Actions AWS gives no resource-level permission; the only ones allowed under the key none.
  unscoped_actions = [
    "sts:GetCallerIdentity", "ecr:GetAuthorizationToken",
    "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions",
    "logs:DescribeLogGroups",
    "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTargetGroups",
    "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
  ]

  # The policy document: one IAM statement per resource key, with the actions of every actions.json statement that
  # names the key (a managed policy holds at most 6,144 characters: a statement per actions.json entry would repeat
  # the same ARNs), except ecr:GetAuthorizationToken, which keeps a statement of its own. Sid: the key in CamelCase.
  # A key with no resources in this stack (delivery_roles with ROLLING) gives no statement: IAM refuses an empty
  # Resource.
  statement_groups = [for s in local.statements :
    contains(try(s.actions, []), "ecr:GetAuthorizationToken") ? "ecr_login" : try(tostring(s.resources), "")
  ]
  group_key = { for i, g in local.statement_groups : g => try(tostring(local.statements[i].resources), "")... }
  policy_statements = [for g in distinct(local.statement_groups) : merge(
    {
      Sid      = join("", [for w in split("_", g) : title(w)])
      Effect   = "Allow"
      Action   = distinct(flatten([for i, s in local.statements : try(s.actions, []) if local.statement_groups[i] == g]))
      Resource = try(local.resource_keys[local.group_key[g][0]].resources, [])
    },
    try(local.resource_keys[local.group_key[g][0]].condition, null) == null ? {} : { Condition = local.resource_keys[local.group_key[g][0]].condition },
  ) if length(try(local.resource_keys[local.group_key[g][0]].resources, ["unknown key: the precondition says so"])) > 0]
  policy = jsonencode({ Version = "2012-10-17", Statement = local.policy_statements })

  # What the preconditions check (also output for the tests).
  problems = {
    not_a_statement_list = length(local.statements) == 0
    missing_fields = [for i, s in local.statements : i if !(
      can(regex("^[A-Za-z0-9]+$", s.sid)) && can(length(s.actions)) && try(length(s.actions) > 0, false) &&
      can(tostring(s.resources)) && length(trimspace(try(tostring(s.why), ""))) > 0
    )]
    duplicate_sids   = length(distinct([for s in local.statements : try(s.sid, "")])) != length(local.statements)
    unknown_keys     = [for s in local.statements : try(s.resources, "(none given)") if !contains(keys(local.resource_keys), try(tostring(s.resources), ""))]
    bad_actions      = flatten([for s in local.statements : [for a in try(s.actions, []) : a if !can(regex("^[a-z0-9-]+:[A-Za-z0-9]+$", a))]])
    unscoped_misused = flatten([for s in local.statements : [for a in try(s.actions, []) : a if !contains(local.unscoped_actions, a)] if try(s.resources, "") == "none"])
    token_not_alone  = length([for s in local.statements : s if contains(try(s.actions, []), "ecr:GetAuthorizationToken") && try(length(s.actions), 0) != 1]) > 0
    passrole_misused = length([for s in local.statements : s if(contains(try(s.actions, []), "iam:PassRole") || contains(local.passrole_keys, try(s.resources, ""))) && (!contains(local.passrole_keys, try(s.resources, "")) || try(s.actions, []) != ["iam:PassRole"])]) > 0
  }
}

resource "aws_iam_policy" "this" {
  name        = "${var.name}-deployer"
  description = "Everything the deploy CLI calls for ${var.name} (deploy, status, logs, history, rollback, migrate, verify, diff, pause, resume), on this stack's resources only. Actions: modules/deployer/actions.json."
  policy      = local.policy

  lifecycle {
    precondition {
      condition     = !local.problems.not_a_statement_list && length(local.problems.missing_fields) == 0 && !local.problems.duplicate_sids
      error_message = "actions.json must be { \"statements\": [ { \"sid\": <letters and digits, unique>, \"actions\": [..], \"resources\": <key>, \"why\": <text> }, ... ] }; statements at index ${jsonencode(local.problems.missing_fields)} are incomplete or a sid repeats."
    }
    precondition {
      condition     = length(local.problems.unknown_keys) == 0
      error_message = "actions.json names resource keys this module does not know: ${jsonencode(local.problems.unknown_keys)} (known: ${join(", ", sort(keys(local.resource_keys)))})."
    }
    precondition {
      condition     = length(local.problems.bad_actions) == 0
      error_message = "actions.json actions must be exact service:Action names, no wildcards: ${jsonencode(local.problems.bad_actions)}."
    }
    precondition {
      condition     = length(local.problems.unscoped_misused) == 0 && !local.problems.token_not_alone
      error_message = "Only actions without resource-level permissions may use the key none (${jsonencode(local.problems.unscoped_misused)} may not), and ecr:GetAuthorizationToken stands alone in its statement."
    }
    precondition {
      condition     = !local.problems.passrole_misused
      error_message = "iam:PassRole stands alone in its statements, under the key passable_roles (task roles, to ecs-tasks.amazonaws.com) or delivery_roles (to ecs.amazonaws.com), and those keys serve nothing else."
    }
    precondition {
      # IAM and AWS STS quotas: a customer managed policy is at most 6,144 characters (whitespace not counted).
      condition     = length(local.policy) <= 6144
      error_message = "The deployer policy is ${length(local.policy)} characters; IAM allows 6,144 for a managed policy."
    }
  }
}

################################################################################
# GitHub Actions through OIDC (var.github_oidc; off by default)
################################################################################

locals {
  github = var.github_oidc != null

  # The claim GitHub puts in sub (GitHub Docs, "OpenID Connect reference", example subject claims): a job that
  # references an environment gets repo:<owner>/<repo>:environment:<name>; otherwise a push to a branch gets
  # repo:<owner>/<repo>:ref:refs/heads/<branch>. dev: the main branch; prod: the protected prod environment
  # (docs/reliability.md#i4: an exact subject, never repo:*).
  github_default_subject = var.environment == "prod" ? "environment:prod" : "ref:refs/heads/main"
  github_subject         = local.github ? "repo:${var.github_oidc.repository}:${coalesce(var.github_oidc.subject, local.github_default_subject)}" : null

  github_provider_url = "token.actions.githubusercontent.com"
  github_provider_arn = (!local.github ? null
    : var.github_oidc.provider_arn != null ? var.github_oidc.provider_arn
    : aws_iam_openid_connect_provider.github[0].arn
  )
}

# One provider per URL and account (IAM CreateOpenIDConnectProvider: EntityAlreadyExists): where another stack
# already created it, pass its ARN as github_oidc.provider_arn instead. No thumbprint: IAM validates GitHub's
# certificate against its own trusted root CAs (IAM User Guide, "Create an OpenID Connect (OIDC) identity provider
# in IAM"), and thumbprint_list is optional in the provider.
resource "aws_iam_openid_connect_provider" "github" {
  count = local.github && try(var.github_oidc.provider_arn, null) == null ? 1 : 0

  url            = "https://${local.github_provider_url}"
  client_id_list = ["sts.amazonaws.com"] # the audience aws-actions/configure-aws-credentials requests
}

resource "aws_iam_role" "github" {
  count = local.github ? 1 : 0

  name                 = "${var.name}-deploy"
  description          = "GitHub Actions (${local.github_subject}) deploying ${var.name} with the deployer policy"
  max_session_duration = 3600

  # aws-actions/configure-aws-credentials README, "OIDC" trust policy example: the aud and sub claims of
  # token.actions.githubusercontent.com, both with StringEquals.
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "GitHubActionsOidc"
      Effect    = "Allow"
      Principal = { Federated = local.github_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.github_provider_url}:aud" = "sts.amazonaws.com"
          "${local.github_provider_url}:sub" = local.github_subject
        }
      }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "github" {
  count = local.github ? 1 : 0

  role       = aws_iam_role.github[0].name
  policy_arn = aws_iam_policy.this.arn
}
