output "policy_arn" {
  description = "ARN of the deployer managed policy (attach it to whatever runs the deploy CLI)."
  value       = aws_iam_policy.this.arn
}

output "policy_name" {
  description = "Name of the deployer managed policy."
  value       = aws_iam_policy.this.name
}

output "statements" {
  description = "The policy's statements exactly as IAM receives them (decoded from the policy document): Sid, Action, Resource and Condition."
  value       = jsondecode(local.policy).Statement
}

output "resource_keys" {
  description = "The resource keys actions.json may name, and the ARNs each one stands for in this stack."
  value       = { for k, v in local.resource_keys : k => v.resources }
}

output "role_arn" {
  description = "ARN of the role GitHub Actions assumes (null without github_oidc)."
  value       = local.github ? aws_iam_role.github[0].arn : null
}

output "github_subject" {
  description = "The exact sub claim the role trusts (null without github_oidc)."
  value       = local.github_subject
}
