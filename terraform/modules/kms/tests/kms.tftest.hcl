# KMS module: rotation and a key policy without a bare '*' principal (docs/reliability.md K1, K2, C3, N1).

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name              = "library-test"
  alerts_topic_name = "library-test-alerts"
}

run "key_rotates_and_policy_is_scoped" {
  command = plan

  assert {
    condition     = aws_kms_key.this.enable_key_rotation == true
    error_message = "K1: key rotation on."
  }
  assert {
    condition     = aws_kms_key.this.policy != null && alltrue([for s in jsondecode(aws_kms_key.this.policy).Statement : s.Principal != "*" && try(s.Principal.AWS, "") != "*"])
    error_message = "K2: a key policy with no bare '*' principal."
  }
  assert {
    condition     = anytrue([for s in jsondecode(aws_kms_key.this.policy).Statement : try(s.Principal.Service == "logs.eu-west-1.amazonaws.com" && s.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"] == "arn:aws:logs:eu-west-1:123456789012:*", false)])
    error_message = "C3: CloudWatch Logs of this account and region may use the key."
  }
  assert {
    condition     = anytrue([for s in jsondecode(aws_kms_key.this.policy).Statement : try(s.Principal.Service == "cloudwatch.amazonaws.com" && toset(s.Action) == toset(["kms:Decrypt", "kms:GenerateDataKey*"]) && s.Condition.StringEquals["aws:SourceAccount"] == "123456789012", false)])
    error_message = "N1: alarms may use the key to publish to the encrypted topic, from this account only."
  }
  assert {
    condition = one([for s in jsondecode(aws_kms_key.this.policy).Statement : s if try(contains(flatten([s.Principal.Service]), "events.amazonaws.com"), false)]) == {
      Sid       = "EventBridgePublishToAlertsTopic"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
      Resource  = "*"
      Condition = { StringEquals = { "kms:EncryptionContext:aws:sns:topicArn" = "arn:aws:sns:eu-west-1:123456789012:library-test-alerts" } }
    }
    error_message = "R-5: EventBridge may use the key only for the alerts topic, by SNS's encryption context; no aws:SourceAccount/SourceArn (not supported for EventBridge-to-encrypted topics, so events would be dropped)."
  }
  assert {
    condition     = aws_kms_alias.this.name == "alias/library-test" && aws_kms_key.this.deletion_window_in_days == 30
    error_message = "Alias and a 30-day deletion window."
  }
}

run "rejects_bad_values" {
  command = plan

  variables {
    name              = "aws/logs"
    key               = { deletion_window_days = 3 }
    alerts_topic_name = "arn:aws:sns:eu-west-1:123456789012:x"
  }

  expect_failures = [
    var.name,
    var.key,
    var.alerts_topic_name,
  ]
}
