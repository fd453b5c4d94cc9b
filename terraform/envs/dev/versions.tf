terraform {
  # 1.9 for cross-variable validation in the modules; 1.11 for S3-native state locking (use_lockfile),
  # experimental in 1.10 and generally available since 1.11 (DynamoDB locking is deprecated there).
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.88" # write-only arguments (modules/database)
    }
  }

  # Partial configuration: bucket, key, region and locking come from backend.hcl
  # (terraform init -backend-config=backend.hcl); see backend.hcl.example and README.md.
  backend "s3" {}
}

# Every resource's tags (cost allocation). The stack needs them too: the deploy CLI copies them from Terraform's
# task-definition revision onto each revision it registers, and the deployer policy allows exactly these keys.
locals {
  default_tags = {
    Project     = var.project
    Environment = local.environment
    ManagedBy   = "terraform"
  }
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = local.default_tags
  }
}
