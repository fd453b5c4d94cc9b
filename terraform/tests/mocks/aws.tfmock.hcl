# Shared defaults for `mock_provider "aws" { source = "../../tests/mocks" }`.
# The mock provider invents random strings for computed attributes; where the real provider validates an
# argument built from one of them (ARNs, account ids, region names) or a test needs a realistic shape,
# a default here makes it look like the real thing. Every instance of a type gets the same value.

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/mock"
  }
}

mock_data "aws_region" {
  defaults = {
    name = "eu-west-1"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition  = "aws"
    dns_suffix = "amazonaws.com"
  }
}

mock_data "aws_availability_zones" {
  defaults = {
    names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  }
}

mock_data "aws_elb_service_account" {
  defaults = {
    arn = "arn:aws:iam::156460612806:root"
  }
}

# Ids the modules validate by prefix (vpc-, subnet-, sg-). Every instance shares the id under mocks.
mock_resource "aws_vpc" {
  defaults = {
    id = "vpc-0mock0000000000000"
  }
}

mock_resource "aws_subnet" {
  defaults = {
    id = "subnet-0mock000000000000"
  }
}

mock_resource "aws_security_group" {
  defaults = {
    id = "sg-0mock00000000000000"
  }
}

mock_resource "aws_kms_key" {
  defaults = {
    arn    = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    key_id = "00000000-0000-0000-0000-000000000000"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::123456789012:role/mock-role"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:mock"
  }
}

mock_resource "aws_sns_topic" {
  defaults = {
    arn = "arn:aws:sns:eu-west-1:123456789012:mock-alerts"
  }
}

mock_resource "aws_ecs_cluster" {
  defaults = {
    arn = "arn:aws:ecs:eu-west-1:123456789012:cluster/mock"
    id  = "arn:aws:ecs:eu-west-1:123456789012:cluster/mock"
  }
}

mock_resource "aws_ecs_task_definition" {
  defaults = {
    arn                  = "arn:aws:ecs:eu-west-1:123456789012:task-definition/mock:1"
    arn_without_revision = "arn:aws:ecs:eu-west-1:123456789012:task-definition/mock"
    revision             = 1
  }
}

mock_resource "aws_ecr_repository" {
  defaults = {
    arn            = "arn:aws:ecr:eu-west-1:123456789012:repository/mock"
    repository_url = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mock"
    registry_id    = "123456789012"
  }
}

mock_resource "aws_lb" {
  defaults = {
    arn        = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/mock/0123456789abcdef"
    arn_suffix = "app/mock/0123456789abcdef"
    dns_name   = "mock-123456789.eu-west-1.elb.amazonaws.com"
    zone_id    = "Z32O12XQLNTSW2"
  }
}

mock_resource "aws_lb_target_group" {
  defaults = {
    arn        = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/mock/0123456789abcdef"
    arn_suffix = "targetgroup/mock/0123456789abcdef"
  }
}

mock_resource "aws_lb_listener" {
  defaults = {
    arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/mock/0123456789abcdef/0123456789abcdef"
  }
}

mock_resource "aws_wafv2_web_acl" {
  defaults = {
    arn = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/mock/00000000-0000-0000-0000-000000000000"
  }
}

mock_resource "aws_s3_bucket" {
  defaults = {
    arn = "arn:aws:s3:::mock-bucket"
  }
}

mock_resource "aws_cloudwatch_metric_alarm" {
  defaults = {
    arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:mock"
  }
}

mock_resource "aws_cloudwatch_event_rule" {
  defaults = {
    arn = "arn:aws:events:eu-west-1:123456789012:rule/mock"
  }
}

mock_resource "aws_db_instance" {
  defaults = {
    arn      = "arn:aws:rds:eu-west-1:123456789012:db:mock"
    address  = "mock.abcdefghijkl.eu-west-1.rds.amazonaws.com"
    endpoint = "mock.abcdefghijkl.eu-west-1.rds.amazonaws.com:5432"
    port     = 5432
    # DbiResourceId: what rds-db:connect ARNs name (primary and replica share it under mocks).
    resource_id = "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
  }
}

mock_resource "aws_secretsmanager_secret" {
  defaults = {
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mock-master-20250101000000000000000001-AbCdEf"
    id  = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mock-master-20250101000000000000000001-AbCdEf"
  }
}

mock_resource "aws_lb_listener_rule" {
  defaults = {
    arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/mock/0123456789abcdef/0123456789abcdef/0123456789abcdef"
  }
}

# The NAT instance's AMI comes from AWS's public SSM parameter; under mocks it looks like an AMI id.
mock_data "aws_ssm_parameter" {
  defaults = {
    insecure_value = "ami-0mock000000000000"
    value          = "ami-0mock000000000000"
  }
}

mock_resource "aws_instance" {
  defaults = {
    id                           = "i-0mock000000000000"
    primary_network_interface_id = "eni-0mock000000000000"
  }
}

mock_resource "aws_vpc_endpoint" {
  defaults = {
    prefix_list_id = "pl-6da54004"
  }
}

# ACM gives one DNS validation record per name (the tests use books.example.com).
mock_resource "aws_acm_certificate" {
  defaults = {
    arn = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"
    domain_validation_options = [{
      domain_name           = "books.example.com"
      resource_record_name  = "_0123456789abcdef0123456789abcdef.books.example.com."
      resource_record_type  = "CNAME"
      resource_record_value = "_fedcba9876543210fedcba9876543210.xlfgrmvvlj.acm-validations.aws."
    }]
  }
}

mock_resource "aws_route53_record" {
  defaults = {
    fqdn = "_0123456789abcdef0123456789abcdef.books.example.com"
  }
}

mock_resource "aws_iam_policy" {
  defaults = {
    arn = "arn:aws:iam::123456789012:policy/mock-policy"
  }
}

mock_resource "aws_iam_openid_connect_provider" {
  defaults = {
    arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
  }
}
