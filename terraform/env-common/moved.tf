# The modules used to be called from this root directly; since they moved into modules/stack these blocks
# carry existing state to the new addresses, so `terraform plan` moves resources instead of replacing them.
# Keep them until every state of this environment has been applied once with them.

moved {
  from = module.kms
  to   = module.stack.module.kms
}

moved {
  from = module.network
  to   = module.stack.module.network
}

moved {
  from = module.cluster
  to   = module.stack.module.cluster
}

moved {
  from = module.registry
  to   = module.stack.module.registry
}

moved {
  from = module.database
  to   = module.stack.module.database
}

moved {
  from = module.load_balancer
  to   = module.stack.module.load_balancer
}

moved {
  from = module.monitoring
  to   = module.stack.module.monitoring
}

moved {
  from = module.service
  to   = module.stack.module.service
}
