# Deployer module: the policy built from actions.json is scoped to this stack, iam:PassRole only reaches ECS tasks,
# actions.json keeps its shape, and the GitHub OIDC role trusts exactly one subject per environment (off by default).

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name        = "library-test"
  environment = "dev"
  targets = {
    cluster_name = "library-test"
    services = {
      reader = { service_name = "library-test-reader", task_family = "library-test-reader" }
      writer = { service_name = "library-test-writer", task_family = "library-test-writer" }
    }
    migrate_task_family    = "library-test-migrate"
    ecr_repository_names   = ["library-test/otel-collector", "library-test/reader", "library-test/writer"]
    log_group_names        = ["/ecs/library-test-reader", "/ecs/library-test-writer", "/ecs/library-test-migrate"]
    db_instance_identifier = "library-test"
    execution_role_names   = ["library-test-reader-execution", "library-test-writer-execution", "library-test-migrate-execution"]
    task_role_names        = ["library-test-reader-task", "library-test-writer-task", "library-test-migrate-task"]
  }
  terraform_state = { bucket = "library-tfstate-123456789012-eu-west-1", key = "library/test/terraform.tfstate" }
  default_tags    = { Project = "library", Environment = "dev", ManagedBy = "terraform" }
}

run "actions_json_has_the_shared_shape" {
  command = plan

  assert {
    condition     = length(local.statements) > 0 && alltrue([for s in local.statements : toset(keys(s)) == toset(["sid", "actions", "resources", "why"])])
    error_message = "actions.json: { statements: [ { sid, actions, resources, why } ] }, nothing more and nothing less per statement (the deploy CLI's tests read the same file)."
  }
  assert {
    condition = alltrue([for s in local.statements :
      can(regex("^[A-Za-z0-9]+$", s.sid)) && length(s.actions) > 0 && alltrue([for a in s.actions : can(regex("^[a-z0-9-]+:[A-Za-z0-9]+$", a))]) &&
      length(trimspace(s.why)) >= 20
    ])
    error_message = "Each statement: an alphanumeric sid, exact service:Action names (no wildcard), and a why that names the CLI command or phase."
  }
  assert {
    condition     = length(distinct([for s in local.statements : s.sid])) == length(local.statements)
    error_message = "Sids are unique."
  }
  assert {
    condition = alltrue([for s in local.statements : contains([
      "none", "cluster", "in_cluster", "services", "service_deployments", "tasks", "task_definition_families", "task_definition_tags",
      "migrate_task_definition", "ecr_repositories", "log_groups", "alarms", "stack_alarms", "db_instance", "state_bucket", "state_object",
      "passable_roles", "delivery_roles", "execution_roles",
    ], s.resources)])
    error_message = "Every statement names one of the documented resource keys (terraform/README.md, \"Deployer\")."
  }
  assert {
    condition     = toset(keys(output.resource_keys)) == toset(["none", "cluster", "in_cluster", "services", "service_deployments", "tasks", "task_definition_families", "task_definition_tags", "migrate_task_definition", "ecr_repositories", "log_groups", "alarms", "stack_alarms", "db_instance", "state_bucket", "state_object", "passable_roles", "delivery_roles", "execution_roles"])
    error_message = "The module maps exactly the documented resource keys."
  }
}

run "every_cli_call_is_allowed" {
  command = plan

  # The SDK commands in deploy/src (grep -rn "new [A-Za-z]*Command(" deploy/src, the two SDK waiters) plus
  # docker push's registry calls and the S3 backend's reads behind `terraform output -json`.
  assert {
    condition = toset(flatten([for s in local.statements : s.actions])) == toset([
      "sts:GetCallerIdentity",
      "ecr:GetAuthorizationToken", "ecr:DescribeImages", "ecr:DescribeRepositories",
      "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage",
      "ecs:DescribeClusters", "ecs:DescribeServices", "ecs:UpdateService", "ecs:ListTagsForResource", "ecs:TagResource", "ecs:UntagResource",
      "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions", "ecs:RegisterTaskDefinition", "ecs:RunTask", "ecs:DescribeTasks", "ecs:ListTasks",
      "ecs:ListServiceDeployments", "ecs:DescribeServiceDeployments", "ecs:StopServiceDeployment",
      "iam:PassRole", "iam:SimulatePrincipalPolicy",
      "logs:FilterLogEvents", "logs:GetLogEvents", "logs:StartLiveTail", "logs:DescribeLogGroups",
      "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTargetGroups",
      "cloudwatch:DescribeAlarms", "cloudwatch:DisableAlarmActions", "cloudwatch:EnableAlarmActions",
      "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
      "rds:DescribeDBInstances", "rds:StopDBInstance", "rds:StartDBInstance",
      "s3:ListBucket", "s3:GetObject",
    ])
    error_message = "The deployer allows exactly the calls the deploy CLI makes (review this list with deploy/src when either changes)."
  }
}

run "policy_is_scoped_to_this_stack" {
  command = plan

  assert {
    condition = alltrue([for st in output.statements :
      st.Resource != ["*"] ||
      alltrue([for a in st.Action : contains([
        # No resource-level permission (Service Authorization Reference: no resource type for these actions).
        "sts:GetCallerIdentity", "ecr:GetAuthorizationToken", "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions",
        "logs:DescribeLogGroups", "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTargetGroups",
        "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
      ], a)]) ||
      (st.Action == ["ecs:ListTasks"] && try(st.Condition, null) == { ArnEquals = { "ecs:cluster" = "arn:aws:ecs:eu-west-1:123456789012:cluster/library-test" } })
    ])
    error_message = "I2: Resource \"*\" only for the actions AWS gives no resource-level permission, and ecs:ListTasks only with the cluster condition."
  }
  assert {
    condition     = one([for st in output.statements : st if contains(st.Action, "ecr:GetAuthorizationToken")]).Action == ["ecr:GetAuthorizationToken"]
    error_message = "ecr:GetAuthorizationToken stands alone in its statement."
  }
  assert {
    condition = alltrue([for st in output.statements : alltrue([for r in st.Resource :
      r == "*" || can(regex("library-test|library-tfstate-123456789012-eu-west-1", r)) || (st.Action == ["cloudwatch:DescribeAlarms"] && r == "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*")
    ])])
    error_message = "Every scoped resource names this stack (or its state bucket); the one account-wide scope is DescribeAlarms (the CLI lists every alarm)."
  }
  assert {
    condition = alltrue([for st in output.statements : alltrue([for r in st.Resource :
      r == "*" || can(regex("^arn:aws:s3:::", r)) || can(regex("^arn:aws:iam::123456789012:", r)) || can(regex("^arn:aws:[a-z0-9-]+:eu-west-1:123456789012:", r))
    ])])
    error_message = "Every scoped resource is in this account and region (S3 and IAM ARNs carry neither)."
  }
  assert {
    condition = jsonencode(one([for st in output.statements : st if st.Sid == "Services"])) == jsonencode({
      Sid      = "Services", Effect = "Allow"
      Action   = ["ecs:DescribeServices", "ecs:UpdateService", "ecs:ListTagsForResource", "ecs:TagResource", "ecs:UntagResource", "ecs:ListServiceDeployments"]
      Resource = ["arn:aws:ecs:eu-west-1:123456789012:service/library-test/library-test-reader", "arn:aws:ecs:eu-west-1:123456789012:service/library-test/library-test-writer"]
      Condition = {
        ArnLikeIfExists           = { "ecs:task-definition" = ["arn:aws:ecs:eu-west-1:123456789012:task-definition/library-test-reader:*", "arn:aws:ecs:eu-west-1:123456789012:task-definition/library-test-writer:*"] }
        "ForAllValues:StringLike" = { "aws:TagKeys" = ["deploy:*"] }
      }
    })
    error_message = "The two services only, UpdateService only onto revisions of the service families, their tags only deploy:* keys."
  }
  assert {
    condition = one([for st in output.statements : st if contains(st.Action, "ecs:StopServiceDeployment")]) == {
      Sid      = "ServiceDeployments", Effect = "Allow", Action = ["ecs:DescribeServiceDeployments", "ecs:StopServiceDeployment"]
      Resource = ["arn:aws:ecs:eu-west-1:123456789012:service-deployment/library-test/*"]
    }
    error_message = "Describe and stop the deployments of this cluster's services only (service-deployment/<cluster>/<service>/<id>)."
  }
  assert {
    condition = one([for st in output.statements : st if st.Sid == "TaskDefinitionFamilies"]).Resource == [
      "arn:aws:ecs:eu-west-1:123456789012:task-definition/library-test-reader:*",
      "arn:aws:ecs:eu-west-1:123456789012:task-definition/library-test-writer:*",
      "arn:aws:ecs:eu-west-1:123456789012:task-definition/library-test-migrate:*",
    ]
    error_message = "Revisions may be registered in the three families only (RegisterTaskDefinition takes the task-definition resource type)."
  }
  assert {
    condition = one([for st in output.statements : st if st.Sid == "TaskDefinitionTags"]).Condition == {
      StringEquals              = { "ecs:CreateAction" = "RegisterTaskDefinition" }
      "ForAllValues:StringLike" = { "aws:TagKeys" = ["deploy:*", "Environment", "ManagedBy", "Project"] }
      StringEqualsIfExists      = { "aws:RequestTag/Environment" = "dev" }
    }
    error_message = "ecs:TagResource on task definitions only while registering them: deploy:* keys and the provider's default tags, Environment only with this environment."
  }
  assert {
    condition = one([for st in output.statements : st if contains(st.Action, "ecs:RunTask")]) == {
      Sid       = "MigrateTaskDefinition", Effect = "Allow", Action = ["ecs:RunTask"]
      Resource  = ["arn:aws:ecs:eu-west-1:123456789012:task-definition/library-test-migrate:*"]
      Condition = { ArnEquals = { "ecs:cluster" = "arn:aws:ecs:eu-west-1:123456789012:cluster/library-test" } }
    }
    error_message = "RunTask: the migrate family only, in this cluster only."
  }
  assert {
    condition     = one([for st in output.statements : st if contains(st.Action, "ecs:DescribeTasks")]).Resource == ["arn:aws:ecs:eu-west-1:123456789012:task/library-test/*"]
    error_message = "DescribeTasks: tasks of this cluster only."
  }
  assert {
    condition = jsonencode(one([for st in output.statements : st if st.Sid == "EcrRepositories"]).Resource) == jsonencode([
      "arn:aws:ecr:eu-west-1:123456789012:repository/library-test/otel-collector",
      "arn:aws:ecr:eu-west-1:123456789012:repository/library-test/reader", "arn:aws:ecr:eu-west-1:123456789012:repository/library-test/writer",
    ])
    error_message = "ECR reads and docker push: the two app repositories and the collector's mirror only."
  }
  assert {
    condition = toset(one([for st in output.statements : st if contains(st.Action, "ecr:PutImage")]).Action) == toset([
      "ecr:DescribeImages", "ecr:DescribeRepositories",
      "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage",
    ])
    error_message = "On the two repositories: the reads, and docker push with the actions of the ECR User Guide's push policy, no more."
  }
  assert {
    condition = one([for st in output.statements : st if contains(st.Action, "logs:StartLiveTail")]).Resource == [
      "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/library-test-migrate*",
      "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/library-test-reader*",
      "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/library-test-writer*",
    ]
    error_message = "Log reads and Live Tail: the services' and the migrate task's log groups (and their streams) only."
  }
  assert {
    condition     = one([for st in output.statements : st if contains(st.Action, "rds:StopDBInstance")]).Resource == ["arn:aws:rds:eu-west-1:123456789012:db:library-test"]
    error_message = "pause/resume: this environment's database instance only."
  }
  assert {
    condition     = one([for st in output.statements : st if contains(st.Action, "cloudwatch:DescribeAlarms")]).Resource == ["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*"]
    error_message = "status: alarms of this account and region (the CLI lists them all and keeps its services')."
  }
  assert {
    condition = one([for st in output.statements : st if contains(st.Action, "cloudwatch:DisableAlarmActions")]) == {
      Sid      = "StackAlarms", Effect = "Allow", Action = ["cloudwatch:DisableAlarmActions", "cloudwatch:EnableAlarmActions"]
      Resource = ["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:library-test-*"]
    }
    error_message = "pause and resume: turn the actions of this stack's alarms (<name>-*) off and on, nothing else."
  }
  assert {
    condition = (
      one([for st in output.statements : st if st.Sid == "StateObject"]) == { Sid = "StateObject", Effect = "Allow", Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::library-tfstate-123456789012-eu-west-1/library/test/terraform.tfstate"] } &&
      one([for st in output.statements : st if st.Sid == "StateBucket"]) == {
        Sid       = "StateBucket", Effect = "Allow", Action = ["s3:ListBucket"], Resource = ["arn:aws:s3:::library-tfstate-123456789012-eu-west-1"]
        Condition = { StringEquals = { "s3:prefix" = ["env:/"] } }
      }
    )
    error_message = "Terraform state: read this environment's state object, list the bucket only for the workspace prefix; nothing written, no lock file."
  }
  assert {
    condition     = alltrue([for st in output.statements : alltrue([for a in st.Action : !contains(["s3:PutObject", "s3:DeleteObject"], a)])])
    error_message = "The deployer never writes the state."
  }
  assert {
    condition     = length(aws_iam_policy.this.policy) <= 6144 && aws_iam_policy.this.name == "library-test-deployer"
    error_message = "One managed policy, library-test-deployer, within IAM's 6,144-character limit."
  }
}

run "one_iam_statement_per_resource_key" {
  command = plan

  assert {
    condition     = length(output.statements) == length(distinct([for s in local.statements : s.resources])) + 1 - 1 && length(distinct([for st in output.statements : st.Sid])) == length(output.statements)
    error_message = "The policy has one statement per resource key (each Sid once) but delivery_roles, which names no role with ROLLING (IAM refuses an empty Resource), plus ecr:GetAuthorizationToken's own."
  }
  assert {
    condition     = jsonencode(one([for st in output.statements : st if st.Sid == "EcrLogin"])) == jsonencode({ Action = ["ecr:GetAuthorizationToken"], Effect = "Allow", Resource = ["*"], Sid = "EcrLogin" })
    error_message = "ecr:GetAuthorizationToken: on \"*\", alone in its statement."
  }
  assert {
    condition     = toset(flatten([for st in output.statements : st.Action])) == toset(flatten([for s in local.statements : s.actions]))
    error_message = "Every action of actions.json is in the policy, and nothing else."
  }
}

run "passrole_only_to_ecs_tasks" {
  command = plan

  assert {
    condition = jsonencode([for st in output.statements : st if contains(st.Action, "iam:PassRole")]) == jsonencode([{
      Sid       = "PassableRoles", Effect = "Allow", Action = ["iam:PassRole"]
      Resource  = [for r in sort(concat(var.targets.execution_role_names, var.targets.task_role_names)) : "arn:aws:iam::123456789012:role/${r}"]
      Condition = { StringEquals = { "iam:PassedToService" = "ecs-tasks.amazonaws.com" } }
    }])
    error_message = "iam:PassRole: one statement, the services' and the migrate task's task and execution roles only, passed to ecs-tasks.amazonaws.com only."
  }
  assert {
    condition     = alltrue([for st in output.statements : st.Sid != "DeliveryRoles"])
    error_message = "Without progressive delivery (no delivery roles) there is no statement for them: IAM refuses an empty Resource."
  }
  assert {
    condition     = jsonencode(one([for st in output.statements : st if contains(st.Action, "iam:SimulatePrincipalPolicy")]).Resource) == jsonencode([for r in sort(var.targets.execution_role_names) : "arn:aws:iam::123456789012:role/${r}"])
    error_message = "verify simulates this stack's execution roles only."
  }
}

# Progressive delivery: UpdateService passes the infrastructure role and the smoke hook's invoke role to ECS itself.
run "passrole_of_delivery_roles_only_to_ecs" {
  command = plan

  variables {
    targets = merge(var.targets, { delivery_role_names = ["library-test-ecs-infrastructure", "library-test-smoke-hook-invoke"] })
  }

  assert {
    condition = jsonencode([for st in output.statements : st if contains(st.Action, "iam:PassRole")]) == jsonencode([
      {
        Sid       = "DeliveryRoles", Effect = "Allow", Action = ["iam:PassRole"]
        Resource  = ["arn:aws:iam::123456789012:role/library-test-ecs-infrastructure", "arn:aws:iam::123456789012:role/library-test-smoke-hook-invoke"]
        Condition = { StringEquals = { "iam:PassedToService" = "ecs.amazonaws.com" } }
      },
      {
        Sid       = "PassableRoles", Effect = "Allow", Action = ["iam:PassRole"]
        Resource  = [for r in sort(concat(var.targets.execution_role_names, var.targets.task_role_names)) : "arn:aws:iam::123456789012:role/${r}"]
        Condition = { StringEquals = { "iam:PassedToService" = "ecs-tasks.amazonaws.com" } }
      },
    ])
    error_message = "iam:PassRole: the task roles to ECS tasks, and the two delivery roles to ECS itself, nothing else."
  }
  assert {
    condition     = length(output.statements) == length(distinct([for s in local.statements : s.resources])) + 1
    error_message = "With delivery roles, every resource key has its statement."
  }
}

run "github_oidc_is_off_by_default" {
  command = plan

  assert {
    condition     = length(aws_iam_role.github) == 0 && length(aws_iam_openid_connect_provider.github) == 0 && length(aws_iam_role_policy_attachment.github) == 0 && output.role_arn == null
    error_message = "Without github_oidc: the policy alone, no OIDC provider, no role."
  }
}

run "github_oidc_dev_trusts_the_main_branch" {
  command = apply

  variables {
    github_oidc = { repository = "acme/books" }
  }

  assert {
    condition     = aws_iam_openid_connect_provider.github[0].url == "https://token.actions.githubusercontent.com" && aws_iam_openid_connect_provider.github[0].client_id_list == toset(["sts.amazonaws.com"])
    error_message = "The account's GitHub OIDC provider, audience sts.amazonaws.com."
  }
  assert {
    condition = jsondecode(aws_iam_role.github[0].assume_role_policy).Statement == [{
      Sid       = "GitHubActionsOidc", Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github[0].arn }
      Condition = { StringEquals = {
        "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
        "token.actions.githubusercontent.com:sub" = "repo:acme/books:ref:refs/heads/main"
      } }
    }]
    error_message = "I4: dev trusts exactly pushes to main of acme/books (StringEquals, never repo:*), audience sts.amazonaws.com."
  }
  assert {
    condition     = aws_iam_role.github[0].name == "library-test-deploy" && aws_iam_role_policy_attachment.github[0].policy_arn == aws_iam_policy.this.arn && output.role_arn == aws_iam_role.github[0].arn
    error_message = "The role library-test-deploy carries the deployer policy and is output."
  }
}

run "github_oidc_prod_trusts_the_prod_environment" {
  command = apply

  variables {
    environment  = "prod"
    default_tags = { Project = "library", Environment = "prod", ManagedBy = "terraform" }
    github_oidc  = { repository = "acme/books", provider_arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
  }

  assert {
    condition     = jsondecode(aws_iam_role.github[0].assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] == "repo:acme/books:environment:prod" && output.github_subject == "repo:acme/books:environment:prod"
    error_message = "I4: prod trusts exactly jobs of acme/books in the prod environment (its required reviewers gate them)."
  }
  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0 && jsondecode(aws_iam_role.github[0].assume_role_policy).Statement[0].Principal.Federated == "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    error_message = "An existing provider (one per URL and account) is reused, not created again."
  }
}

run "github_oidc_subject_can_be_named_exactly" {
  command = plan

  variables {
    github_oidc = { repository = "acme/books", subject = "environment:dev" }
  }

  assert {
    condition     = output.github_subject == "repo:acme/books:environment:dev" && length(aws_iam_role.github) == 1
    error_message = "A job that references the dev environment sends environment:dev as its subject; the override names it exactly."
  }
}

run "rejects_wildcard_repository" {
  command = plan
  variables {
    github_oidc = { repository = "acme/*" }
  }
  expect_failures = [var.github_oidc]
}

run "rejects_wildcard_subject" {
  command = plan
  variables {
    github_oidc = { repository = "acme/books", subject = "ref:refs/heads/*" }
  }
  expect_failures = [var.github_oidc]
}

# actions.json is checked on every plan: each broken copy below stops the plan at the policy's preconditions.
run "refuses_an_unknown_resource_key" {
  command = plan
  variables {
    actions_file = "tests/fixtures/unknown-key.json"
  }
  expect_failures = [aws_iam_policy.this]
}

run "refuses_a_statement_without_why" {
  command = plan
  variables {
    actions_file = "tests/fixtures/missing-why.json"
  }
  expect_failures = [aws_iam_policy.this]
}

run "refuses_wildcard_actions" {
  command = plan
  variables {
    actions_file = "tests/fixtures/wildcard-action.json"
  }
  expect_failures = [aws_iam_policy.this]
}

run "refuses_star_for_a_scopable_action" {
  command = plan
  variables {
    actions_file = "tests/fixtures/unscoped-misused.json"
  }
  expect_failures = [aws_iam_policy.this]
}

run "refuses_auth_token_with_company" {
  command = plan
  variables {
    actions_file = "tests/fixtures/token-not-alone.json"
  }
  expect_failures = [aws_iam_policy.this]
}

run "refuses_passrole_without_its_condition" {
  command = plan
  variables {
    actions_file = "tests/fixtures/passrole-unscoped.json"
  }
  expect_failures = [aws_iam_policy.this]
}

# IAM and AWS STS quotas: a managed policy holds at most 6,144 characters. The longest names the env roots allow
# (a 16-character project, prod) in a long region name must still fit.
run "longest_names_fit_the_managed_policy_limit" {
  command = plan

  override_data {
    target = data.aws_region.current
    values = { name = "ap-southeast-2" }
  }

  variables {
    name        = "abcdefghijklmnop-prod"
    environment = "prod"
    # The names stack gives a 16-character project in prod: <name>-<service>, <name>/<service>, /ecs/<name>-<task>.
    targets = {
      cluster_name           = "abcdefghijklmnop-prod"
      db_instance_identifier = "abcdefghijklmnop-prod"
      migrate_task_family    = "abcdefghijklmnop-prod-migrate"
      services               = { for k in ["reader", "writer"] : k => { service_name = "abcdefghijklmnop-prod-${k}", task_family = "abcdefghijklmnop-prod-${k}" } }
      ecr_repository_names   = [for r in ["otel-collector", "reader", "writer"] : "abcdefghijklmnop-prod/${r}"]
      log_group_names        = [for t in ["reader", "writer", "migrate"] : "/ecs/abcdefghijklmnop-prod-${t}"]
      execution_role_names   = [for t in ["reader", "writer", "migrate"] : "abcdefghijklmnop-prod-${t}-execution"]
      task_role_names        = [for t in ["reader", "writer", "migrate"] : "abcdefghijklmnop-prod-${t}-task"]
      delivery_role_names    = ["abcdefghijklmnop-prod-ecs-infrastructure", "abcdefghijklmnop-prod-smoke-hook-invoke"]
    }
    terraform_state = { bucket = "abcdefghijklmnop-tfstate-123456789012-ap-southeast-2", key = "abcdefghijklmnop/prod/terraform.tfstate" }
    default_tags    = { Project = "abcdefghijklmnop", Environment = "prod", ManagedBy = "terraform" }
  }

  assert {
    condition     = length(aws_iam_policy.this.policy) <= 6144
    error_message = "The deployer policy must fit IAM's 6,144 characters with the longest names."
  }
}
