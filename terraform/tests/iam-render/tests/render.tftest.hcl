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
}
