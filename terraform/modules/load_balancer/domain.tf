# HTTPS on your own domain (var.https.domain_name + var.https.hosted_zone_id): an ACM certificate validated through DNS in
# that Route 53 hosted zone, the HTTPS listener on the validated certificate, and an alias record to the ALB.
# A given var.https.certificate_arn still works instead (you then manage the DNS record).

locals {
  domain = var.https.domain_name != null

  # The HTTPS listener's certificate. With a domain it is the *validation's* certificate_arn, so the listener waits
  # until ACM has issued it: CreateListener refuses a certificate that is still PENDING_VALIDATION
  # (provider docs, aws_acm_certificate_validation: "waits for the certificate to be issued"; ELB guide, "SSL
  # certificates for your Application Load Balancer": the certificate must be issued).
  certificate_arn = local.domain ? aws_acm_certificate_validation.this[0].certificate_arn : var.https.certificate_arn
}

# ACM User Guide, "DNS validation": ACM gives one CNAME per domain name; while it stays in DNS, ACM also renews the
# certificate by itself (managed renewal). A certificate for an ALB must be in the ALB's region (the provider's).
resource "aws_acm_certificate" "this" {
  count = local.domain ? 1 : 0

  domain_name       = var.https.domain_name
  validation_method = "DNS"
  key_algorithm     = "RSA_2048" # served by every ELB security policy, including the TLS 1.3 ones (L4)

  tags = { Name = var.name }

  lifecycle {
    # A new name means a new certificate; the listener moves to it before the old one is deleted (ACM refuses to
    # delete a certificate in use: DeleteCertificate, ResourceInUseException).
    create_before_destroy = true
  }
}

# The validation record, keyed by the one (known) domain name rather than the computed
# domain_validation_options set, so for_each is known at plan; a one-name certificate has exactly one option.
resource "aws_route53_record" "validation" {
  for_each = local.domain ? toset([var.https.domain_name]) : toset([])

  zone_id         = var.https.hosted_zone_id
  name            = one(aws_acm_certificate.this[0].domain_validation_options).resource_record_name
  type            = one(aws_acm_certificate.this[0].domain_validation_options).resource_record_type
  records         = [one(aws_acm_certificate.this[0].domain_validation_options).resource_record_value]
  ttl             = 300
  allow_overwrite = true # a record left from an earlier certificate for the same name is taken over, not an error
}

resource "aws_acm_certificate_validation" "this" {
  count = local.domain ? 1 : 0

  certificate_arn         = aws_acm_certificate.this[0].arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]
}

# Users reach the app at the domain: an alias A record to the ALB (Route 53 Developer Guide, "Routing traffic to an
# ELB load balancer": an alias record names the load balancer's DNS name and its canonical hosted zone id, and
# costs no queries).
#
# IPv4 only, so A and no AAAA: the ALB's ip_address_type is ipv4. An AAAA alias answers only for a dualstack ALB,
# and dualstack needs IPv6 CIDR blocks on the VPC and the ALB's subnets, an IPv6 default route and ::/0 listener
# rules (ELB guide, "IP address types for your Application Load Balancer"): a network change of its own, and a
# dualstack ALB keeps its public IPv4 addresses (and their cost) anyway.
resource "aws_route53_record" "alias_a" {
  count = local.domain ? 1 : 0

  zone_id = var.https.hosted_zone_id
  name    = var.https.domain_name
  type    = "A"

  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = true
  }
}
