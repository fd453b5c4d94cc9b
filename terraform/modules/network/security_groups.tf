# Security groups and their rules (docs/reliability.md S2-S4). Each rule is its own resource, built from the maps
# below, so tests can loop over every rule. Only the ALB group accepts traffic from the internet.

locals {
  ingress_rules = merge(
    {
      alb_https = {
        security_group = "alb", description = "HTTPS from the internet"
        from_port      = 443, to_port = 443, cidr_ipv4 = local.anywhere_ipv4, referenced_sg = null
      }
      # Port 80 only redirects to HTTPS when a certificate exists (CKV_AWS_260 waived, see waivers.yaml).
      alb_http = {
        security_group = "alb", description = "HTTP from the internet (redirected to HTTPS when a certificate is set)"
        from_port      = 80, to_port = 80, cidr_ipv4 = local.anywhere_ipv4, referenced_sg = null
      }
      services_from_alb = {
        security_group = "services", description = "App port from the load balancer only"
        from_port      = local.net.app_port, to_port = local.net.app_port, cidr_ipv4 = null, referenced_sg = "alb"
      }
      database_from_services = {
        security_group = "database", description = "PostgreSQL from the service tasks only"
        from_port      = local.net.db_port, to_port = local.net.db_port, cidr_ipv4 = null, referenced_sg = "services"
      }
    },
    local.use_endpoints ? {
      endpoints_from_services = {
        security_group = "endpoints", description = "HTTPS to the interface endpoints from the service tasks"
        from_port      = 443, to_port = 443, cidr_ipv4 = null, referenced_sg = "services"
      }
    } : {},
    local.use_nat_instance ? {
      # Only the tasks' HTTPS may pass through the NAT instance; nothing from the internet reaches it.
      nat_from_services = {
        security_group = "nat", description = "HTTPS from the service tasks, to forward to AWS APIs"
        from_port      = 443, to_port = 443, cidr_ipv4 = null, referenced_sg = "services"
      }
    } : {}
  )

  egress_rules = merge(
    {
      alb_to_services = {
        security_group = "alb", description = "Load balancer to the service tasks on the app port"
        from_port      = local.net.app_port, to_port = local.net.app_port, cidr_ipv4 = null, referenced_sg = "services", prefix_list = false
      }
      services_to_database = {
        security_group = "services", description = "Service tasks to PostgreSQL"
        from_port      = local.net.db_port, to_port = local.net.db_port, cidr_ipv4 = null, referenced_sg = "database", prefix_list = false
      }
      services_to_s3 = {
        security_group = "services", description = "Service tasks to S3 (ECR image layers) through the gateway endpoint"
        from_port      = 443, to_port = 443, cidr_ipv4 = null, referenced_sg = null, prefix_list = true
      }
    },
    local.internet_egress ? {
      # ECR, CloudWatch Logs and Secrets Manager through the NAT gateway or instance; HTTPS only (S3: no all-protocol egress).
      services_https_out = {
        security_group = "services", description = "Service tasks to AWS APIs (ECR, Logs, Secrets Manager) over HTTPS via NAT"
        from_port      = 443, to_port = 443, cidr_ipv4 = local.anywhere_ipv4, referenced_sg = null, prefix_list = false
      }
    } : {},
    local.use_nat_instance ? {
      # The forwarded HTTPS of the tasks, and the instance's own package install at boot (HTTPS repositories).
      nat_https_out = {
        security_group = "nat", description = "NAT instance to the internet over HTTPS only"
        from_port      = 443, to_port = 443, cidr_ipv4 = local.anywhere_ipv4, referenced_sg = null, prefix_list = false
      }
    } : {},
    local.use_endpoints ? {
      services_to_endpoints = {
        security_group = "services", description = "Service tasks to the interface endpoints (ECR, Logs, Secrets Manager)"
        from_port      = 443, to_port = 443, cidr_ipv4 = null, referenced_sg = "endpoints", prefix_list = false
      }
    } : {}
  )

  security_group_ids = merge(
    {
      alb      = aws_security_group.alb.id
      services = aws_security_group.services.id
      database = aws_security_group.database.id
    },
    local.use_endpoints ? { endpoints = aws_security_group.endpoints[0].id } : {},
    local.use_nat_instance ? { nat = aws_security_group.nat[0].id } : {}
  )
}

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "Application load balancer: HTTP/HTTPS from the internet, out to the service tasks only"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.name}-alb" }
}

resource "aws_security_group" "services" {
  name        = "${var.name}-services"
  description = "Reader and writer Fargate tasks (and the one-off migration task)"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.name}-services" }
}

resource "aws_security_group" "database" {
  name        = "${var.name}-database"
  description = "RDS PostgreSQL: only the service tasks may connect"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.name}-database" }
}

resource "aws_security_group" "endpoints" {
  count = local.use_endpoints ? 1 : 0

  name        = "${var.name}-endpoints"
  description = "Interface VPC endpoints: HTTPS from the service tasks"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.name}-endpoints" }
}

resource "aws_security_group" "nat" {
  count = local.use_nat_instance ? 1 : 0

  name        = "${var.name}-nat"
  description = "NAT instance (dev): HTTPS from the service tasks, HTTPS out to the internet"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.name}-nat" }
}

resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each = local.ingress_rules

  security_group_id            = local.security_group_ids[each.value.security_group]
  description                  = each.value.description
  ip_protocol                  = "tcp"
  from_port                    = each.value.from_port
  to_port                      = each.value.to_port
  cidr_ipv4                    = each.value.cidr_ipv4
  referenced_security_group_id = each.value.referenced_sg == null ? null : local.security_group_ids[each.value.referenced_sg]

  tags = { Name = each.key }
}

resource "aws_vpc_security_group_egress_rule" "this" {
  for_each = local.egress_rules

  security_group_id            = local.security_group_ids[each.value.security_group]
  description                  = each.value.description
  ip_protocol                  = "tcp"
  from_port                    = each.value.from_port
  to_port                      = each.value.to_port
  cidr_ipv4                    = each.value.cidr_ipv4
  referenced_security_group_id = each.value.referenced_sg == null ? null : local.security_group_ids[each.value.referenced_sg]
  prefix_list_id               = each.value.prefix_list ? aws_vpc_endpoint.s3.prefix_list_id : null

  tags = { Name = each.key }
}
