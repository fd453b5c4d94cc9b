terraform {
  # 1.11: S3-native state locking (use_lockfile in backend.hcl), generally available since 1.11. The AWS
  # provider's version is pinned where it is used: modules/stack/versions.tf and each module's.
  required_version = ">= 1.11"

  # Partial configuration: bucket, key, region and locking come from backend.hcl
  # (terraform init -backend-config=backend.hcl); see backend.hcl.example and terraform/README.md.
  backend "s3" {}
}
