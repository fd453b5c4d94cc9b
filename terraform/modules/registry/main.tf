# One ECR repository for one service image. Tags are immutable: the deploy CLI tags every image with its
# git commit, so a tag always names exactly one image. No repository policy: only this account pulls (R5).

resource "aws_ecr_repository" "this" {
  name                 = var.name
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.force_delete

  image_scanning_configuration {
    scan_on_push = true
  }

  # KMS with the AWS-managed aws/ecr key unless a CMK is given (free; R4).
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }
}

locals {
  lifecycle_rules = [
    {
      rulePriority = 1
      description  = "Expire untagged images (failed or superseded pushes) after ${var.expiry.untagged_expire_days} days"
      selection = {
        tagStatus   = "untagged"
        countType   = "sinceImagePushed"
        countUnit   = "days"
        countNumber = var.expiry.untagged_expire_days
      }
      action = { type = "expire" }
    },
    {
      rulePriority = 2
      description  = "Keep the last ${var.expiry.keep_last_images} images (rollback targets)"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = var.expiry.keep_last_images
      }
      action = { type = "expire" }
    },
  ]
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name
  policy     = jsonencode({ rules = local.lifecycle_rules })
}
