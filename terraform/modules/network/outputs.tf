output "vpc_id" {
  description = "Id of the VPC."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "Public subnet ids, one per AZ (for the ALB only)."
  value       = [for az in var.availability_zones : aws_subnet.public[az].id]
}

output "private_subnet_ids" {
  description = "Private subnet ids, one per AZ (Fargate tasks, interface endpoints)."
  value       = [for az in var.availability_zones : aws_subnet.private[az].id]
}

output "database_subnet_ids" {
  description = "Database subnet ids, one per AZ (RDS; no route out of the VPC)."
  value       = [for az in var.availability_zones : aws_subnet.database[az].id]
}

output "alb_security_group_id" {
  description = "Security group of the ALB (80/443 from the internet, out to the tasks only)."
  value       = aws_security_group.alb.id
}

output "services_security_group_id" {
  description = "Security group of the reader, writer and migration tasks."
  value       = aws_security_group.services.id
}

output "database_security_group_id" {
  description = "Security group of the database (5432 from the services group only)."
  value       = aws_security_group.database.id
}

output "egress_mode" {
  description = "How the private subnets reach AWS APIs: endpoints, nat or nat_instance."
  value       = local.net.egress_mode
}

output "nat_instance_id" {
  description = "Id of the NAT instance (egress_mode = nat_instance), else null."
  value       = local.use_nat_instance ? aws_instance.nat[0].id : null
}

output "nat_gateway_count" {
  description = "Number of NAT gateways (0 with egress_mode = endpoints, 1 with single_nat_gateway, else one per AZ)."
  value       = length(aws_nat_gateway.this)
}

output "interface_endpoints" {
  description = "Services reached through interface VPC endpoints (empty in NAT mode)."
  value       = sort(tolist(local.interface_endpoints))
}

output "flow_logs_enabled" {
  description = "Whether VPC flow logs are recorded."
  value       = length(aws_flow_log.this) == 1
}

output "gateway_endpoints" {
  description = "Service suffixes of the gateway VPC endpoints on the private route tables (s3: ECR image layers)."
  value       = [for e in [aws_vpc_endpoint.s3] : reverse(split(".", e.service_name))[0]]
}
