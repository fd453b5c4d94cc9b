# One customer-managed key for an environment's log groups (CloudWatch Logs) and its alerts topic (SNS).
# Alarms cannot publish to a topic encrypted with the AWS-managed alias/aws/sns key, so a CMK is needed
# anyway (docs/reliability.md#n1); sharing it with the log groups costs nothing more ($1/month per key).

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  # aws, aws-cn or aws-us-gov: the second field of the caller's own ARN (IAM User Guide, "IAM identifiers", ARNs).
  partition = split(":", data.aws_caller_identity.current.arn)[1]
  region    = data.aws_region.current.name

  # The alerts topic, by name: its ARN is known before the topic exists, so the key needs no dependency on it.
  alerts_topic_arn = "arn:${local.partition}:sns:${local.region}:${local.account_id}:${var.alerts_topic_name}"

  # Key policy statements, kept as data so tests can read them (K2: no bare "*" principal).
  statements = [
    {
      Sid       = "AccountAdministers"
      Effect    = "Allow"
      Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    },
    {
      Sid       = "CloudWatchLogsEncrypt"
      Effect    = "Allow"
      Principal = { Service = "logs.${local.region}.amazonaws.com" }
      Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
      Resource  = "*"
      Condition = {
        ArnLike = {
          "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:*"
        }
      }
    },
  ]

  # The topic's publishers: each may have the key encrypt (and decrypt) for it, under the condition that holds
  # for that service.
  publishers = {
    # CloudWatch alarms publish to the encrypted SNS topic (Amazon SNS Developer Guide, "Key management":
    # "Enable compatibility between event sources from AWS services and encrypted topics").
    AlarmsPublish = { service = "cloudwatch.amazonaws.com", condition = { "aws:SourceAccount" = local.account_id } }
    # EventBridge (ECS deployment and RDS events) publishes to the same topic. The same SNS page says adding
    # aws:SourceAccount or aws:SourceArn to the KMS key policy is not supported for EventBridge-to-encrypted
    # topics: EventBridge's calls do not carry them, so such a condition silently drops every event. The
    # condition that holds is SNS's encryption context, which names the topic the data key is for.
    EventBridgePublishToAlertsTopic = { service = "events.amazonaws.com", condition = { "kms:EncryptionContext:aws:sns:topicArn" = local.alerts_topic_arn } }
  }
  publish_statements = [for sid, p in local.publishers : {
    Sid       = sid, Effect = "Allow", Principal = { Service = p.service }, Action = ["kms:Decrypt", "kms:GenerateDataKey*"], Resource = "*"
    Condition = { StringEquals = p.condition }
  }]
}

################################################################################
# Key
################################################################################

resource "aws_kms_key" "this" {
  description             = var.key.description
  enable_key_rotation     = true
  deletion_window_in_days = var.key.deletion_window_days
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = concat(local.statements, local.publish_statements)
  })
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}
