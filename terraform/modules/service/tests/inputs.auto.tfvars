# The inputs every test file of this module starts from: one reader service of a test stack in eu-west-1.
# terraform test reads the *.auto.tfvars files of its test directory; a test file's variables block and a
# run's override them.

name               = "library-test-reader"
aws                = { partition = "aws", region = "eu-west-1", account_id = "123456789012" }
environment        = "dev"
cluster_arn        = "arn:aws:ecs:eu-west-1:123456789012:cluster/library-test"
cluster_name       = "library-test"
subnet_ids         = ["subnet-aaaa", "subnet-bbbb"]
security_group_ids = ["sg-services"]
target_group_arn   = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/library-test-reader/0123456789abcdef"
alb_resource_label = "app/library-test/0123456789abcdef/targetgroup/library-test-reader/0123456789abcdef"
ecr_repository_arn = "arn:aws:ecr:eu-west-1:123456789012:repository/library-test/reader"
container_port     = 8000
image              = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/library-test/reader:bootstrap"
listener_rule_arns = ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/library-test/0123456789abcdef/0123456789abcdef/1111111111111111"]
database = {
  host         = "db.internal"
  port         = 5432
  name         = "library_db"
  user         = "library_reader"
  resource_ids = ["db-PRIMARY0000000000000000001"]
}
logs = { retention_days = 365, kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
