# The one public entry point: an ALB in the public subnets that routes by HTTP method,
# GET/HEAD to the reader and POST/PUT/PATCH/DELETE to the writer (docs/http-contract.md).

locals {
  # HTTPS with a given certificate or with the domain's own (domain.tf).
  https = var.https.certificate_arn != null || var.https.domain_name != null

  # Listener that carries the routing rules: HTTPS with a certificate, else plain HTTP (dev only).
  app_listener_arn = local.https ? aws_lb_listener.https[0].arn : aws_lb_listener.http.arn

  # name_prefix: at most 6 characters (the provider adds a unique suffix).
  routes = {
    reader = { priority = 10, methods = ["GET", "HEAD"], prefix = "read-" }
    writer = { priority = 20, methods = ["POST", "PUT", "PATCH", "DELETE"], prefix = "write-" }
  }

  # Anything else (OPTIONS, TRACE, ...) gets a JSON 405 in the app's error shape.
  not_allowed_body = jsonencode({ statusCode = 405, error = "Method Not Allowed", message = "Method not allowed" })
}

################################################################################
# Load balancer
################################################################################

resource "aws_lb" "this" {
  name               = var.name
  load_balancer_type = "application"
  internal           = false  # the one public resource (Trivy AVD-AWS-0053 waived)
  ip_address_type    = "ipv4" # no IPv6 in the VPC; hence an A alias only (domain.tf)
  subnets            = var.network.public_subnet_ids
  security_groups    = [var.network.security_group_id]

  drop_invalid_header_fields = true        # L1
  desync_mitigation_mode     = "defensive" # L2
  idle_timeout               = 60          # DP-8: below the app's keep-alive (72 s)
  enable_http2               = true
  enable_deletion_protection = var.safeguards.deletion_protection # L5

  dynamic "access_logs" { # L6
    for_each = var.safeguards.access_logs ? [1] : []
    content {
      bucket  = aws_s3_bucket.access_logs[0].id
      prefix  = var.name
      enabled = true
    }
  }

  depends_on = [aws_s3_bucket_policy.access_logs]
}

################################################################################
# Target groups (L9, DP-6, DP-7)
################################################################################

# Replaceable (R-6): a change that forces a new target group (port, protocol, target type, VPC) must not try
# to delete the old one first: ELB refuses with ResourceInUse while a listener rule still forwards to it
# (Elastic Load Balancing API Reference, DeleteTargetGroup: "ResourceInUse"). So each group has a generated
# name (name_prefix; names are unique per region and account) and is created before the old one is destroyed;
# the listener rules are then updated in place to the new group, and only then is the old group deleted.
resource "aws_lb_target_group" "this" {
  # Each route's group, and for a service ECS deploys progressively its alternate "<key>-alt" (delivery.tf).
  for_each = local.target_groups

  name_prefix          = each.value.prefix
  vpc_id               = var.network.vpc_id
  target_type          = "ip"
  protocol             = "HTTP"
  port                 = var.targets.port
  deregistration_delay = var.targets.deregistration_delay

  health_check {
    enabled             = true
    path                = "/health" # liveness: a DB outage must not make ECS replace every task
    protocol            = "HTTP"
    matcher             = "200"
    interval            = 10
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = { Name = "${var.name}-${each.key}" }

  lifecycle {
    create_before_destroy = true
  }
}

################################################################################
# Listeners
################################################################################

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  # L3: with a certificate, port 80 only redirects.
  default_action {
    type = local.https ? "redirect" : "fixed-response"

    dynamic "redirect" {
      for_each = local.https ? [1] : []
      content {
        protocol    = "HTTPS"
        port        = "443"
        status_code = "HTTP_301"
      }
    }

    dynamic "fixed_response" {
      for_each = local.https ? [] : [1]
      content {
        content_type = "application/json"
        status_code  = "405"
        message_body = local.not_allowed_body
      }
    }
  }
}

resource "aws_lb_listener" "https" {
  count = local.https ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  certificate_arn   = local.certificate_arn # the validated one with a domain (domain.tf)
  ssl_policy        = var.ssl_policy        # L4

  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = "application/json"
      status_code  = "405"
      message_body = local.not_allowed_body
    }
  }
}

# A rolling service's one rule; a progressive service's production and test rules are in delivery.tf.
resource "aws_lb_listener_rule" "route" {
  for_each = local.rolling_routes

  listener_arn = local.app_listener_arn
  priority     = each.value.priority

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[each.key].arn
  }

  condition {
    http_request_method {
      values = each.value.methods
    }
  }

  tags = { Name = "${var.name}-${each.key}" }
}
