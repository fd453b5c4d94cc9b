terraform {
  # 1.9: a variable's validation may read other variables (the prod guards use var.environment);
  # 1.11: write-only arguments (password_wo, secret_string_wo) keep the master password out of plan and state.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # password_wo and secret_string_wo exist from 5.88 (tested with 5.100).
      version = "~> 5.88"
    }
  }
}
