import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { PlatformModule } from '../platform.module.js';
import type { ServiceSpec } from './service-spec.js';

export interface ServiceDefinition extends Omit<ServiceSpec, 'rootModule'> {
  /** The service's own modules (its database role, its features); called once per application. */
  imports: () => Array<Type | DynamicModule>;
}

/**
 * A service's spec and root module: PlatformModule (validated configuration, logging, validation, errors,
 * health) for this service, then its own modules. Both apps are exactly this, so it is written once.
 */
export function defineService({ imports, ...spec }: ServiceDefinition): ServiceSpec {
  @Module({})
  class ServiceRootModule {}
  // Nest names the root module in its start-up log: ReaderModule, WriterModule.
  Object.defineProperty(ServiceRootModule, 'name', { value: `${spec.name[0]!.toUpperCase()}${spec.name.slice(1)}Module` });
  return {
    ...spec,
    rootModule: (environment) => ({
      module: ServiceRootModule,
      imports: [PlatformModule.forRoot({ service: spec.name, environment }), ...imports()],
    }),
  };
}
