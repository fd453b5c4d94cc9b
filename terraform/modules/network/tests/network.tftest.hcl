# Network module: subnets, egress modes, flow logs and the security-group chain (docs/reliability.md#vpc-and-security-groups).

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name               = "library-test"
  environment        = "dev"
  availability_zones = ["eu-west-1a", "eu-west-1b"]
  logs               = { retention_days = 365, kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
}

run "subnets_hand_out_no_public_ips" {
  command = plan

  assert {
    condition = alltrue([
      for s in concat(values(aws_subnet.public), values(aws_subnet.private), values(aws_subnet.database)) :
      s.map_public_ip_on_launch == false
    ])
    error_message = "S1: no subnet auto-assigns public IPs."
  }
  assert {
    condition     = length(aws_subnet.public) == 2 && length(aws_subnet.private) == 2 && length(aws_subnet.database) == 2
    error_message = "One subnet per tier per AZ."
  }
  assert {
    condition     = length(distinct([for s in concat(values(aws_subnet.public), values(aws_subnet.private), values(aws_subnet.database)) : s.cidr_block])) == 6
    error_message = "Subnet CIDRs do not overlap."
  }
  assert {
    condition     = aws_vpc.this.enable_dns_hostnames && aws_vpc.this.enable_dns_support
    error_message = "DNS hostnames are on (interface endpoints with private DNS need them)."
  }
}

run "default_security_group_denies_all" {
  command = plan

  assert {
    condition     = length(aws_default_security_group.this.ingress) == 0 && length(aws_default_security_group.this.egress) == 0
    error_message = "S5: the default security group has no rules."
  }
}

run "only_the_alb_is_open_to_the_internet" {
  command = plan

  assert {
    condition = alltrue([
      for k, r in aws_vpc_security_group_ingress_rule.this :
      r.cidr_ipv4 == null || startswith(k, "alb_")
    ])
    error_message = "S2: only ALB rules take traffic from a CIDR; every other group admits only another security group."
  }
  assert {
    condition = alltrue([
      for k, r in aws_vpc_security_group_ingress_rule.this :
      contains([80, 443], r.from_port) && r.from_port == r.to_port if r.cidr_ipv4 != null
    ])
    error_message = "S2: the internet reaches only ports 80 and 443."
  }
  assert {
    condition = alltrue([for rule, port in { services_from_alb = 8000, database_from_services = 5432 } :
      aws_vpc_security_group_ingress_rule.this[rule].from_port == port && aws_vpc_security_group_ingress_rule.this[rule].to_port == port &&
      aws_vpc_security_group_ingress_rule.this[rule].cidr_ipv4 == null
    ])
    error_message = "S2: tasks accept only the app port, from the ALB's group; the database accepts only 5432, from the services' group."
  }
  assert {
    condition     = [for k, r in aws_vpc_security_group_ingress_rule.this : k if startswith(k, "database")] == ["database_from_services"]
    error_message = "S2: the database group has exactly one ingress rule."
  }
  assert {
    condition     = length([for k, r in aws_vpc_security_group_egress_rule.this : k if startswith(k, "database")]) == 0
    error_message = "The database group has no egress."
  }
  assert {
    condition     = [for k, r in aws_vpc_security_group_egress_rule.this : [r.from_port, r.to_port, r.cidr_ipv4 == null] if startswith(k, "alb_")] == [[8000, 8000, true]]
    error_message = "The ALB may only reach the tasks on the app port."
  }
}

run "no_unrestricted_egress_and_every_rule_described" {
  command = plan

  assert {
    condition     = alltrue([for r in aws_vpc_security_group_egress_rule.this : r.ip_protocol != "-1"])
    error_message = "S3: no all-protocol egress."
  }
  assert {
    condition     = alltrue([for r in aws_vpc_security_group_egress_rule.this : r.from_port == 443 if r.cidr_ipv4 == "0.0.0.0/0"])
    error_message = "S3: egress to the internet is HTTPS only."
  }
  assert {
    condition = alltrue(concat(
      [for r in aws_vpc_security_group_ingress_rule.this : length(coalesce(r.description, "")) > 0],
      [for r in aws_vpc_security_group_egress_rule.this : length(coalesce(r.description, "")) > 0],
      [for g in [aws_security_group.alb, aws_security_group.services, aws_security_group.database] : length(g.description) > 0],
    ))
    error_message = "S4: every security group and rule has a description."
  }
}

run "nat_per_az_by_default" {
  command = plan

  variables {
    settings = { egress_mode = "nat" }
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 2 && length(aws_route.private_nat) == 2
    error_message = "S8: NAT mode defaults to one NAT gateway per AZ."
  }
  assert {
    condition     = alltrue([for k, r in aws_route.private_nat : r.destination_cidr_block == "0.0.0.0/0"])
    error_message = "Private subnets route out through NAT."
  }
  assert {
    condition     = length(aws_vpc_endpoint.interface) == 0 && contains(keys(aws_vpc_security_group_egress_rule.this), "services_https_out")
    error_message = "NAT mode needs no interface endpoints; tasks get HTTPS egress."
  }
}

run "single_nat_in_dev" {
  command = plan

  variables {
    settings = { egress_mode = "nat", single_nat_gateway = true }
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 1 && length(aws_route.private_nat) == 2
    error_message = "Dev: one NAT gateway shared by both private route tables."
  }
}

run "nat_instance_in_dev" {
  command = plan

  variables {
    settings = { egress_mode = "nat_instance" }
  }

  assert {
    condition     = length(aws_instance.nat) == 1 && length(aws_nat_gateway.this) == 0 && length(aws_eip.nat) == 0 && length(aws_vpc_endpoint.interface) == 0
    error_message = "nat_instance: one NAT instance instead of NAT gateways, EIPs or interface endpoints."
  }
  assert {
    condition = (
      aws_instance.nat[0].source_dest_check == false && aws_instance.nat[0].associate_public_ip_address == true &&
      aws_instance.nat[0].instance_type == "t4g.nano"
    )
    error_message = "The NAT instance forwards (source/dest check off) from a public subnet with a public IP, on a t4g.nano."
  }
  assert {
    condition     = data.aws_ssm_parameter.nat_ami[0].name == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64" && aws_instance.nat[0].ami == data.aws_ssm_parameter.nat_ami[0].insecure_value
    error_message = "The AMI is AWS's own Amazon Linux 2023 arm64, from its public SSM parameter."
  }
  assert {
    condition     = aws_instance.nat[0].metadata_options[0].http_tokens == "required" && aws_instance.nat[0].root_block_device[0].encrypted == true
    error_message = "IMDSv2 only, encrypted root volume."
  }
  assert {
    condition     = strcontains(aws_instance.nat[0].user_data, "net.ipv4.ip_forward=1") && strcontains(aws_instance.nat[0].user_data, "-j MASQUERADE")
    error_message = "The instance turns on IP forwarding and masquerading at boot."
  }
  assert {
    condition     = length(aws_route.private_nat_instance) == 2 && alltrue([for r in aws_route.private_nat_instance : r.destination_cidr_block == "0.0.0.0/0"])
    error_message = "Both private route tables send internet traffic out (to the NAT instance)."
  }
  assert {
    condition     = [for k, r in aws_vpc_security_group_ingress_rule.this : "${r.from_port}-${r.to_port} from ${coalesce(r.cidr_ipv4, "sg:${local.ingress_rules[k].referenced_sg}")}" if local.ingress_rules[k].security_group == "nat"] == ["443-443 from sg:services"]
    error_message = "The NAT instance's group admits only HTTPS from the service tasks (nothing from the internet)."
  }
  assert {
    condition     = [for k, r in aws_vpc_security_group_egress_rule.this : [r.from_port, r.to_port, r.cidr_ipv4, r.ip_protocol] if local.egress_rules[k].security_group == "nat"] == [[443, 443, "0.0.0.0/0", "tcp"]]
    error_message = "The NAT instance may only send HTTPS out."
  }
  assert {
    condition     = contains(keys(aws_vpc_security_group_egress_rule.this), "services_https_out")
    error_message = "Tasks get HTTPS egress through the NAT instance."
  }
  assert {
    condition     = alltrue([for s in concat(values(aws_subnet.public), values(aws_subnet.private)) : s.map_public_ip_on_launch == false])
    error_message = "S1 still holds: only the instance itself asks for a public IP."
  }
}

run "nat_instance_wiring" {
  command = apply

  variables {
    settings = { egress_mode = "nat_instance" }
  }

  assert {
    condition     = alltrue([for r in aws_route.private_nat_instance : r.network_interface_id == aws_instance.nat[0].primary_network_interface_id && startswith(r.network_interface_id, "eni-")])
    error_message = "The private routes target the NAT instance's network interface."
  }
  assert {
    condition     = aws_instance.nat[0].subnet_id == aws_subnet.public["eu-west-1a"].id && aws_instance.nat[0].vpc_security_group_ids == toset([aws_security_group.nat[0].id])
    error_message = "The NAT instance sits in the first public subnet behind its own security group."
  }
  assert {
    condition     = output.egress_mode == "nat_instance" && output.nat_instance_id == aws_instance.nat[0].id && output.nat_gateway_count == 0
    error_message = "Outputs describe the NAT instance."
  }
}

run "endpoints_mode_has_no_internet_egress" {
  command = plan

  assert {
    condition     = var.settings.egress_mode == "endpoints"
    error_message = "The default egress mode is endpoints."
  }
  assert {
    condition     = toset(keys(aws_vpc_endpoint.interface)) == toset(["ecr.api", "ecr.dkr", "logs", "secretsmanager"])
    error_message = "S8: interface endpoints for ECR (api, dkr), CloudWatch Logs and Secrets Manager."
  }
  assert {
    condition     = alltrue([for e in aws_vpc_endpoint.interface : e.private_dns_enabled && e.vpc_endpoint_type == "Interface"])
    error_message = "Interface endpoints use private DNS, so the SDKs need no special endpoint."
  }
  assert {
    condition     = aws_vpc_endpoint.s3.vpc_endpoint_type == "Gateway" && aws_vpc_endpoint.s3.service_name == "com.amazonaws.eu-west-1.s3"
    error_message = "S8: S3 gateway endpoint for ECR layers."
  }
  assert {
    condition     = length(aws_nat_gateway.this) == 0 && length(aws_route.private_nat) == 0 && length(aws_eip.nat) == 0 && length(aws_instance.nat) == 0 && length(aws_route.private_nat_instance) == 0
    error_message = "Endpoints mode has no NAT and no route to the internet from private subnets."
  }
  assert {
    condition     = alltrue([for r in aws_vpc_security_group_egress_rule.this : r.cidr_ipv4 == null])
    error_message = "Endpoints mode: no egress rule to any CIDR at all."
  }
}

run "extra_endpoints_for_ecs_exec" {
  command = plan

  variables {
    settings = { extra_interface_endpoints = ["ssmmessages", "kms"] }
  }

  assert {
    condition     = toset(keys(aws_vpc_endpoint.interface)) == toset(["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssmmessages", "kms"])
    error_message = "Endpoints mode can add the ssmmessages and kms endpoints an encrypted ECS Exec session needs."
  }
  assert {
    condition     = aws_vpc_endpoint.interface["kms"].service_name == "com.amazonaws.eu-west-1.kms" && aws_vpc_endpoint.interface["kms"].private_dns_enabled
    error_message = "The KMS endpoint answers the regional KMS name (private DNS)."
  }
}

run "flow_logs_on_by_default" {
  command = plan

  assert {
    condition     = length(aws_flow_log.this) == 1 && contains(["ALL", "REJECT"], aws_flow_log.this[0].traffic_type)
    error_message = "S6: VPC flow logs record ALL (or REJECT) traffic."
  }
  assert {
    condition     = aws_cloudwatch_log_group.flow_logs[0].retention_in_days == 365 && aws_cloudwatch_log_group.flow_logs[0].kms_key_id == var.logs.kms_key_arn
    error_message = "C1-C3: flow-log group with retention and a CMK."
  }
  assert {
    condition     = jsondecode(aws_iam_role.flow_logs[0].assume_role_policy).Statement[0].Principal == { Service = "vpc-flow-logs.amazonaws.com" }
    error_message = "The flow-log role trusts only the flow-logs service."
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.flow_logs[0].policy).Statement : s.Resource != "*"])
    error_message = "I2: the flow-log role writes only to its log group."
  }
}

run "flow_logs_off_in_dev" {
  command = plan

  variables {
    settings = { flow_logs = false, egress_mode = "nat_instance", single_nat_gateway = true }
  }

  assert {
    condition     = length(aws_flow_log.this) == 0 && length(aws_cloudwatch_log_group.flow_logs) == 0
    error_message = "Dev may turn flow logs off."
  }
  assert {
    condition     = alltrue(values(local.prod_unsafe)) && length(local.settings_problems) == 0
    error_message = "Each of these three values trips its own prod guard (flow logs off, a NAT instance, one NAT gateway), and dev accepts them."
  }
}

run "prod_safe_values_plan" {
  command = plan

  variables {
    environment        = "prod"
    availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  }

  assert {
    condition     = length(aws_subnet.private) == 3 && !anytrue(values(local.prod_unsafe))
    error_message = "Prod spreads over three AZs; none of the defaults is unsafe."
  }
}

run "prod_rejects_the_unsafe_values" {
  command = plan

  variables {
    environment = "prod"
    settings    = { egress_mode = "nat", single_nat_gateway = true, flow_logs = false }
  }

  expect_failures = [aws_vpc.this]
}

run "prod_rejects_nat_instance" {
  command = plan

  variables {
    environment = "prod"
    settings    = { egress_mode = "nat_instance" }
  }

  expect_failures = [aws_vpc.this]
}

run "rejects_bad_values" {
  command = plan

  variables {
    settings = { egress_mode = "internet", cidr_block = "10.0.0.0/8", app_port = 80, extra_interface_endpoints = ["SSM Messages"], nat_instance_type = "t3.nano", db_port = 80 }
  }

  expect_failures = [aws_vpc.this]
}

run "rejects_the_same_az_twice" {
  command = plan

  variables {
    availability_zones = ["eu-west-1a", "eu-west-1a"]
  }

  expect_failures = [var.availability_zones]
}

run "rejects_one_az" {
  command = plan
  variables { availability_zones = ["eu-west-1a"] }
  expect_failures = [var.availability_zones]
}

run "apply_outputs" {
  command = apply

  assert {
    condition     = length(output.public_subnet_ids) == 2 && length(output.private_subnet_ids) == 2 && length(output.database_subnet_ids) == 2
    error_message = "Subnet id lists, one per AZ."
  }
  assert {
    condition     = output.nat_gateway_count == 0 && output.interface_endpoints == tolist(["ecr.api", "ecr.dkr", "logs", "secretsmanager"]) && output.flow_logs_enabled && output.egress_mode == "endpoints" && output.nat_instance_id == null
    error_message = "Outputs describe the egress mode and flow logs."
  }
}
