# The inputs every test file of this module starts from: a dev ALB "library-test" with a certificate, in two
# public subnets. terraform test reads the *.auto.tfvars files of its test directory; a test file's variables
# block and a run's override them.

name        = "library-test"
environment = "dev"
network     = { vpc_id = "vpc-test", public_subnet_ids = ["subnet-pub-a", "subnet-pub-b"], security_group_id = "sg-alb" }
targets     = { port = 8000, deregistration_delay = 15 }
https       = { certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000" }
logs        = { retention_days = 365, kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
