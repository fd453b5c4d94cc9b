import { type DynamicModule, Module } from '@nestjs/common';
import { PersistenceModule } from '#libs/persistence';
import { PlatformModule, type ServiceSpec } from '#libs/platform';
import { BooksModule } from './books/books.module.js';

@Module({})
export class WriterModule {
  static forRoot(environment?: Record<string, string | undefined>): DynamicModule {
    return {
      module: WriterModule,
      imports: [PlatformModule.forRoot({ service: 'writer', environment }), PersistenceModule.forRoot('writer'), BooksModule],
    };
  }
}

export const writerService: ServiceSpec = {
  name: 'writer',
  rootModule: (environment) => WriterModule.forRoot(environment),
  defaultPort: 8001,
  openApi: {
    title: 'Library writer',
    description: 'Write side of the library API: create, replace, update and delete books, with If-Match and Idempotency-Key.',
    version: '1.0.0',
  },
};
