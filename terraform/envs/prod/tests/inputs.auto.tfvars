# The input every test file of envs/prod starts from: prod requires HTTPS, so a certificate (or a domain) is given.
# terraform test reads the *.auto.tfvars files of its test directory; a test file's variables block and a run's
# override it.

certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
