# Renders the policies for deploy/test/iam-render.ts (terraform test -json -verbose prints the planned values it
# reads). A mocked apply, so the attributes only AWS assigns (the KMS key's ARN) have the shared mocks' values.

mock_provider "aws" {
  source = "../mocks"
}

run "render" {
  command = apply

  assert {
    condition     = length(module.deployer.statements) > 0 && module.deployer.role_arn != null
    error_message = "The deployer policy and the GitHub OIDC role are rendered."
  }
  assert {
    condition = (
      jsonencode(module.delivery.passable_role_names) == jsonencode(["library-dev-ecs-infrastructure", "library-dev-smoke-hook-invoke"]) &&
      length([for st in module.deployer.statements : st if st.Sid == "DeliveryRoles"]) == 1
    )
    error_message = "The CANARY's roles are rendered with dev's names, and the deployer may pass them to ECS."
  }
}
