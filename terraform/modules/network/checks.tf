# What the VPC's precondition (main.tf) refuses in var.settings, as message => refused: the plan fails with every
# message that applies. prod_unsafe is what prod refuses; the tests read it to show that each unsafe value trips
# its own guard.

locals {
  net = var.settings

  prod_unsafe = {
    "egress_mode = \"nat_instance\" is not allowed in prod: one instance in one AZ, no failover. Use \"endpoints\" or \"nat\"."                        = local.net.egress_mode == "nat_instance"
    "single_nat_gateway = true is not allowed in prod: an AZ outage would cut every task's egress. Use one NAT per AZ or egress_mode = \"endpoints\"." = local.net.single_nat_gateway
    "flow_logs = false is not allowed in prod (CKV2_AWS_11 / FSBP EC2.6)."                                                                             = !local.net.flow_logs
  }

  settings_problems = concat([for why, refused in {
    "cidr_block must be a valid IPv4 CIDR with a prefix between /16 and /20."                      = !can(cidrhost(local.net.cidr_block, 0)) || !contains(range(16, 21), try(tonumber(split("/", local.net.cidr_block)[1]), 0))
    "egress_mode must be \"endpoints\", \"nat\" or \"nat_instance\"."                              = !contains(["nat", "nat_instance", "endpoints"], local.net.egress_mode)
    "nat_instance_type must be a Graviton (arm64) type such as t4g.nano: the AMI is AL2023 arm64." = !can(regex("^[a-z][0-9][a-z]*g[a-z]*\\.[a-z0-9]+$", local.net.nat_instance_type))
    "extra_interface_endpoints must be service suffixes such as ssmmessages or sts."               = !alltrue([for e in local.net.extra_interface_endpoints : can(regex("^[a-z0-9.-]+$", e))])
    "app_port must be an unprivileged port, 1024-65535 (the container runs as non-root)."          = local.net.app_port < 1024 || local.net.app_port > 65535 || floor(local.net.app_port) != local.net.app_port
    "db_port must be between 1150 and 65535 (RDS range)."                                          = local.net.db_port < 1150 || local.net.db_port > 65535 || floor(local.net.db_port) != local.net.db_port
  } : why if refused], [for why, unsafe in local.prod_unsafe : why if var.environment == "prod" && unsafe])
}
