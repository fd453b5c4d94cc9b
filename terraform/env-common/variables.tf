# What a person sets in terraform.tfvars (terraform.tfvars.example), passed to modules/stack as it is. Each
# input's description, default and checks are in modules/stack/variables.tf (or the module that uses it); null
# here means "the stack's default". aws_region and project keep their defaults here: `npm run deploy -- init`
# reads them from this file before Terraform runs.

variable "project" {
  type    = string
  default = "library"
}

variable "aws_region" {
  type    = string
  default = "eu-west-1"
}

variable "certificate_arn" {
  type    = string
  default = null
}

variable "domain_name" {
  type    = string
  default = null
}

variable "hosted_zone_id" {
  type    = string
  default = null
}

variable "app_hostname" {
  type    = string
  default = null
}

variable "alarm_email" {
  type    = string
  default = null
}

variable "initial_image_tag" {
  type    = string
  default = null
}

variable "cpu_architecture" {
  type    = string
  default = null
}

variable "create_read_replica" {
  type    = bool
  default = null
}

variable "enable_execute_command" {
  type    = bool
  default = null
}

variable "db_master_password_version" {
  type    = number
  default = null
}

variable "state_bucket" {
  type    = string
  default = null
}

variable "state_key" {
  type    = string
  default = null
}

variable "github_oidc" {
  type = object({
    repository   = string
    subject      = optional(string)
    provider_arn = optional(string)
  })
  default = null
}
