# The inputs every test file of this module starts from: a dev cluster "library-test" whose exec logs use a CMK.
# terraform test reads the *.auto.tfvars files of its test directory; a test file's variables block and a run's
# override them.

name        = "library-test"
environment = "dev"
logs        = { retention_days = 365, kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
