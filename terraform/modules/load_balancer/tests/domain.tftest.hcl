# Load balancer module with a domain instead of a certificate ARN (issue 17): ACM issues and validates the certificate
# through DNS in the hosted zone. Every run here starts from these inputs and changes only what it tests.

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  https = { domain_name = "books.example.com", hosted_zone_id = "Z0123456789ABCDEFGHIJ" }
}

run "prod_with_a_domain_and_no_certificate_plans" {
  command = plan

  variables {
    environment = "prod"
  }

  assert {
    condition     = length(aws_lb_listener.https) == 1 && length(aws_acm_certificate_validation.this) == 1
    error_message = "A domain satisfies prod's HTTPS requirement on its own."
  }
}

run "domain_gets_a_dns_validated_certificate_and_an_alias" {
  command = apply

  assert {
    condition     = aws_acm_certificate.this[0].domain_name == "books.example.com" && aws_acm_certificate.this[0].validation_method == "DNS"
    error_message = "With a domain, ACM issues a certificate for it, validated through DNS."
  }
  assert {
    condition = (
      keys(aws_route53_record.validation) == ["books.example.com"] &&
      aws_route53_record.validation["books.example.com"].zone_id == "Z0123456789ABCDEFGHIJ" &&
      aws_route53_record.validation["books.example.com"].type == "CNAME" &&
      aws_route53_record.validation["books.example.com"].name == "_0123456789abcdef0123456789abcdef.books.example.com." &&
      aws_route53_record.validation["books.example.com"].records == toset(["_fedcba9876543210fedcba9876543210.xlfgrmvvlj.acm-validations.aws."])
    )
    error_message = "The validation record ACM asks for goes into the hosted zone."
  }
  assert {
    condition = (
      aws_acm_certificate_validation.this[0].certificate_arn == aws_acm_certificate.this[0].arn &&
      aws_acm_certificate_validation.this[0].validation_record_fqdns == toset([aws_route53_record.validation["books.example.com"].fqdn])
    )
    error_message = "Terraform waits for ACM to validate the certificate through that record."
  }
  assert {
    condition     = aws_lb_listener.https[0].certificate_arn == aws_acm_certificate_validation.this[0].certificate_arn && output.certificate.arn == aws_acm_certificate_validation.this[0].certificate_arn
    error_message = "The HTTPS listener serves the validated certificate (test.sh also checks it references the validation, so it waits)."
  }
  assert {
    condition = (
      aws_route53_record.alias_a[0].zone_id == "Z0123456789ABCDEFGHIJ" && aws_route53_record.alias_a[0].name == "books.example.com" && aws_route53_record.alias_a[0].type == "A" &&
      one(aws_route53_record.alias_a[0].alias).name == aws_lb.this.dns_name && one(aws_route53_record.alias_a[0].alias).zone_id == aws_lb.this.zone_id
    )
    error_message = "The domain is an alias A record to the ALB."
  }
  assert {
    condition     = aws_lb.this.ip_address_type == "ipv4"
    error_message = "The ALB is IPv4 only, so an A alias and no AAAA (an AAAA alias needs a dualstack ALB)."
  }
  assert {
    condition = (
      aws_lb_listener.http.default_action[0].type == "redirect" &&
      aws_lb_listener.http.default_action[0].redirect[0].protocol == "HTTPS" && aws_lb_listener.http.default_action[0].redirect[0].port == "443" &&
      aws_lb_listener.http.default_action[0].redirect[0].status_code == "HTTP_301" &&
      alltrue([for r in aws_lb_listener_rule.route : r.listener_arn == aws_lb_listener.https[0].arn])
    )
    error_message = "L3: HTTP only redirects to HTTPS; the routing rules sit on the HTTPS listener."
  }
  assert {
    condition     = output.certificate.domain_name == "books.example.com" && output.https_enabled
    error_message = "The domain and HTTPS are output."
  }
}

run "domain_needs_its_zone" {
  command = plan
  variables {
    https = { domain_name = "books.example.com" }
  }
  expect_failures = [var.https]
}

run "zone_needs_its_domain" {
  command = plan
  variables {
    https = { hosted_zone_id = "Z0123456789ABCDEFGHIJ" }
  }
  expect_failures = [var.https]
}

run "certificate_and_domain_are_exclusive" {
  command = plan
  variables {
    https = { certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000", domain_name = "books.example.com", hosted_zone_id = "Z0123456789ABCDEFGHIJ" }
  }
  expect_failures = [var.https]
}

# Its own run: the certificate_arn and hosted_zone_id checks read domain_name, and Terraform skips checks that read
# an invalid variable.
run "rejects_a_url_as_domain_name" {
  command = plan
  variables {
    https = { domain_name = "https://Books.example.com/", hosted_zone_id = "Z0123456789ABCDEFGHIJ" }
  }
  expect_failures = [var.https]
}
