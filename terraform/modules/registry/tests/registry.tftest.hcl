# Registry module: ECR repository rules (docs/reliability.md#ecr).

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name        = "library-test/reader"
  environment = "dev"
}

run "repository_is_hardened" {
  command = plan

  assert {
    condition     = aws_ecr_repository.this.image_scanning_configuration[0].scan_on_push == true
    error_message = "R1: scan on push."
  }
  assert {
    condition     = aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE"
    error_message = "R2: immutable tags (the CLI tags by commit, never latest)."
  }
  assert {
    condition     = aws_ecr_repository.this.encryption_configuration[0].encryption_type == "KMS"
    error_message = "R4: KMS encryption."
  }
  assert {
    condition     = aws_ecr_repository.this.force_delete == false
    error_message = "Images survive a destroy by default."
  }
}

run "lifecycle_keeps_last_n_and_expires_untagged" {
  command = plan

  assert {
    condition     = aws_ecr_lifecycle_policy.this.repository == "library-test/reader" && length(jsondecode(aws_ecr_lifecycle_policy.this.policy).rules) > 0
    error_message = "R3: the repository has a lifecycle policy."
  }
  assert {
    condition     = anytrue([for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.selection.tagStatus == "untagged" && r.selection.countType == "sinceImagePushed" && r.action.type == "expire"])
    error_message = "R3: untagged images expire."
  }
  assert {
    condition     = anytrue([for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.selection.tagStatus == "any" && r.selection.countType == "imageCountMoreThan" && r.selection.countNumber == 30])
    error_message = "R3: the last 30 images are kept."
  }
  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[length(jsondecode(aws_ecr_lifecycle_policy.this.policy).rules) - 1].selection.tagStatus == "any"
    error_message = "ECR requires the tagStatus=any rule to have the lowest priority (last)."
  }
}

run "apply_outputs" {
  command = apply

  assert {
    condition     = startswith(output.repository_arn, "arn:aws:ecr:") && output.repository_url != ""
    error_message = "Outputs give the repository ARN and URL."
  }
}

run "dev_may_force_delete" {
  command = plan
  variables {
    force_delete = true
  }
  assert {
    condition     = aws_ecr_repository.this.force_delete
    error_message = "Dev can tear down a repository with its images."
  }
}

run "prod_rejects_force_delete" {
  command = plan
  variables {
    environment  = "prod"
    force_delete = true
  }
  expect_failures = [var.force_delete]
}

run "rejects_bad_values" {
  command = plan

  variables {
    expiry = { keep_last_images = 1 }
    name   = "Library/Reader"
  }

  expect_failures = [var.expiry, var.name]
}

run "rejects_untagged_images_kept_forever_or_never" {
  command = plan
  variables { expiry = { untagged_expire_days = 0 } }
  expect_failures = [var.expiry]
}
