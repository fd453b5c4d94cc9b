# Reads ../../waivers.yaml so a `terraform test` can check the waiver list (no provider, no resources).

terraform {
  required_version = ">= 1.9"
}

locals {
  waivers = yamldecode(file("${path.module}/../../waivers.yaml")).waivers
}

output "ids" {
  description = "Waived rule ids."
  value       = [for w in local.waivers : w.id]
}

output "waivers" {
  description = "The waivers as read from waivers.yaml."
  value       = local.waivers
}
