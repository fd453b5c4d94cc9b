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
      jsonencode(module.prod_delivery.passable_role_names) == jsonencode(["library-prod-ecs-infrastructure", "library-prod-smoke-hook-invoke"]) &&
      length([for st in module.prod_deployer.statements : st if st.Sid == "DeliveryRoles"]) == 1 &&
      length([for st in module.deployer.statements : st if st.Sid == "DeliveryRoles"]) == 0
    )
    error_message = "The prod world's delivery roles are rendered, and only its deployer may pass them (dev rolls)."
  }
}
