# VPC over two or more AZs with three subnet tiers:
#   public   - the ALB only (plus NAT gateways in "nat", or the NAT instance in "nat_instance" egress mode)
#   private  - Fargate tasks and interface endpoints
#   database - RDS; no route out of the VPC at all
# Security groups for every tier live here, one rule per resource, so that the chain
# internet -> ALB -> tasks -> database is defined (and tested) in one place.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  az_count = length(var.availability_zones)
  azs      = { for i, az in var.availability_zones : az => i }

  use_nat          = local.net.egress_mode == "nat"
  use_nat_instance = local.net.egress_mode == "nat_instance"
  use_endpoints    = local.net.egress_mode == "endpoints"
  # Both NAT flavours give the private subnets a default route out and the tasks HTTPS egress.
  internet_egress = local.use_nat || local.use_nat_instance
  # One NAT gateway per AZ unless single_nat_gateway (dev), then all private subnets use the first.
  nat_azs = local.use_nat ? (local.net.single_nat_gateway ? [var.availability_zones[0]] : var.availability_zones) : []

  # Interface endpoints a Fargate task needs to start without internet egress (FSBP EC2.55/56).
  interface_endpoints = local.use_endpoints ? toset(concat(["ecr.api", "ecr.dkr", "logs", "secretsmanager"], local.net.extra_interface_endpoints)) : toset([])

  anywhere_ipv4 = "0.0.0.0/0"
}

################################################################################
# VPC
################################################################################

resource "aws_vpc" "this" {
  cidr_block           = local.net.cidr_block
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = var.name }

  lifecycle {
    # var.settings' checks (checks.tf), prod's refusals among them: every message that applies.
    precondition {
      condition     = length(local.settings_problems) == 0
      error_message = "settings: ${join(" ", local.settings_problems)}"
    }
  }
}

# S5: take over the default security group and leave it without rules (deny all).
resource "aws_default_security_group" "this" {
  vpc_id  = aws_vpc.this.id
  ingress = []
  egress  = []

  tags = { Name = "${var.name}-default-deny-all" }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = var.name }
}

################################################################################
# Subnets (S1: no subnet hands out public IPs; the ALB does not need it)
################################################################################

resource "aws_subnet" "public" {
  for_each = local.azs

  vpc_id                  = aws_vpc.this.id
  availability_zone       = each.key
  cidr_block              = cidrsubnet(local.net.cidr_block, 4, each.value)
  map_public_ip_on_launch = false

  tags = { Name = "${var.name}-public-${each.key}", Tier = "public" }
}

resource "aws_subnet" "private" {
  for_each = local.azs

  vpc_id                  = aws_vpc.this.id
  availability_zone       = each.key
  cidr_block              = cidrsubnet(local.net.cidr_block, 4, 4 + each.value)
  map_public_ip_on_launch = false

  tags = { Name = "${var.name}-private-${each.key}", Tier = "private" }
}

resource "aws_subnet" "database" {
  for_each = local.azs

  vpc_id                  = aws_vpc.this.id
  availability_zone       = each.key
  cidr_block              = cidrsubnet(local.net.cidr_block, 4, 8 + each.value)
  map_public_ip_on_launch = false

  tags = { Name = "${var.name}-database-${each.key}", Tier = "database" }
}

################################################################################
# Routing
################################################################################

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name}-public" }
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = local.anywhere_ipv4
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  for_each = aws_subnet.public

  subnet_id      = each.value.id
  route_table_id = aws_route_table.public.id
}

resource "aws_eip" "nat" {
  for_each = toset(local.nat_azs)

  domain = "vpc"

  tags = { Name = "${var.name}-nat-${each.key}" }
}

resource "aws_nat_gateway" "this" {
  for_each = toset(local.nat_azs)

  allocation_id = aws_eip.nat[each.key].id
  subnet_id     = aws_subnet.public[each.key].id

  tags = { Name = "${var.name}-${each.key}" }

  depends_on = [aws_internet_gateway.this]
}

# One private route table per AZ, so a per-AZ NAT failure stays in its AZ.
resource "aws_route_table" "private" {
  for_each = local.azs

  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name}-private-${each.key}" }
}

resource "aws_route" "private_nat" {
  for_each = local.use_nat ? local.azs : {}

  route_table_id         = aws_route_table.private[each.key].id
  destination_cidr_block = local.anywhere_ipv4
  nat_gateway_id         = local.net.single_nat_gateway ? aws_nat_gateway.this[var.availability_zones[0]].id : aws_nat_gateway.this[each.key].id
}

# Dev's cheap egress: one NAT instance (t4g.nano, about $3/month plus its public IPv4) instead of a NAT
# gateway (about $33/month). Amazon VPC User Guide, "NAT instances": an instance in a public subnet with a
# public IP, source/destination checking off, IP forwarding and masquerading on, its own security group, and
# the private route tables pointing at it. It is one instance in one AZ with no failover: a dev choice only
# (prod refuses egress_mode = "nat_instance").
data "aws_ssm_parameter" "nat_ami" {
  count = local.use_nat_instance ? 1 : 0

  # AWS-owned public parameter: the latest Amazon Linux 2023 AMI for arm64 (Amazon Linux 2023 User Guide,
  # "Launching AL2023 using the SSM parameter").
  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
}

resource "aws_instance" "nat" {
  count = local.use_nat_instance ? 1 : 0

  ami                         = data.aws_ssm_parameter.nat_ami[0].insecure_value
  instance_type               = local.net.nat_instance_type
  subnet_id                   = aws_subnet.public[var.availability_zones[0]].id
  vpc_security_group_ids      = [aws_security_group.nat[0].id]
  associate_public_ip_address = true  # the one public IPv4 of dev's egress (S1: the subnet hands out none)
  source_dest_check           = false # it forwards traffic that is neither from nor to itself
  ebs_optimized               = true

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required" # IMDSv2 only
  }

  root_block_device {
    volume_type = "gp3"
    encrypted   = true
  }

  # Amazon VPC User Guide, "NAT instances", Create a NAT AMI: iptables-services, net.ipv4.ip_forward = 1,
  # MASQUERADE on the primary interface, FORWARD chain flushed, rules saved for reboots.
  user_data = <<-EOT
    #!/bin/bash
    set -euxo pipefail
    dnf install -y iptables-services
    systemctl enable --now iptables
    echo "net.ipv4.ip_forward=1" > /etc/sysctl.d/custom-ip-forwarding.conf
    sysctl -p /etc/sysctl.d/custom-ip-forwarding.conf
    IFACE="$(ip route show default | awk '{print $5; exit}')"
    iptables -t nat -A POSTROUTING -o "$IFACE" -j MASQUERADE
    iptables -F FORWARD
    service iptables save
  EOT

  tags = { Name = "${var.name}-nat" }

  lifecycle {
    # A newer AMI would replace the instance (and cut egress) on an unrelated apply; replace it on purpose with
    # `terraform apply -replace=...aws_instance.nat[0]`.
    ignore_changes = [ami]
  }
}

resource "aws_route" "private_nat_instance" {
  for_each = local.use_nat_instance ? local.azs : {}

  route_table_id         = aws_route_table.private[each.key].id
  destination_cidr_block = local.anywhere_ipv4
  network_interface_id   = aws_instance.nat[0].primary_network_interface_id
}

resource "aws_route_table_association" "private" {
  for_each = aws_subnet.private

  subnet_id      = each.value.id
  route_table_id = aws_route_table.private[each.key].id
}

# The database tier has no route out of the VPC.
resource "aws_route_table" "database" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name}-database" }
}

resource "aws_route_table_association" "database" {
  for_each = aws_subnet.database

  subnet_id      = each.value.id
  route_table_id = aws_route_table.database.id
}

################################################################################
# VPC endpoints
################################################################################

# S3 gateway endpoint: free, and ECR image layers come from S3, so pulls skip the NAT.
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${data.aws_region.current.name}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [for rt in aws_route_table.private : rt.id]

  tags = { Name = "${var.name}-s3" }
}

resource "aws_vpc_endpoint" "interface" {
  for_each = local.interface_endpoints

  vpc_id              = aws_vpc.this.id
  service_name        = "com.amazonaws.${data.aws_region.current.name}.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [for s in aws_subnet.private : s.id]
  security_group_ids  = [aws_security_group.endpoints[0].id]

  tags = { Name = "${var.name}-${each.key}" }
}

################################################################################
# Flow logs (S6)
################################################################################

resource "aws_cloudwatch_log_group" "flow_logs" {
  count = local.net.flow_logs ? 1 : 0

  name              = "/vpc/${var.name}/flow-logs"
  retention_in_days = var.logs.retention_days
  kms_key_id        = var.logs.kms_key_arn
}

resource "aws_iam_role" "flow_logs" {
  count = local.net.flow_logs ? 1 : 0

  name = "${var.name}-vpc-flow-logs"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "vpc-flow-logs.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
    }]
  })
}

resource "aws_iam_role_policy" "flow_logs" {
  count = local.net.flow_logs ? 1 : 0

  name = "write-flow-logs"
  role = aws_iam_role.flow_logs[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
      Resource = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:/vpc/${var.name}/flow-logs:*"
    }]
  })
}

resource "aws_flow_log" "this" {
  count = local.net.flow_logs ? 1 : 0

  vpc_id                   = aws_vpc.this.id
  traffic_type             = "ALL"
  log_destination_type     = "cloud-watch-logs"
  log_destination          = aws_cloudwatch_log_group.flow_logs[0].arn
  iam_role_arn             = aws_iam_role.flow_logs[0].arn
  max_aggregation_interval = 60
}
