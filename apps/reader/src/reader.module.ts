import { type DynamicModule, Module } from '@nestjs/common';
import { PersistenceModule } from '#libs/persistence';
import { PlatformModule, type ServiceSpec } from '#libs/platform';
import { BooksModule } from './books/books.module.js';

@Module({})
export class ReaderModule {
  static forRoot(environment?: Record<string, string | undefined>): DynamicModule {
    return {
      module: ReaderModule,
      imports: [PlatformModule.forRoot({ service: 'reader', environment }), PersistenceModule.forRoot('reader'), BooksModule],
    };
  }
}

export const readerService: ServiceSpec = {
  name: 'reader',
  rootModule: (environment) => ReaderModule.forRoot(environment),
  defaultPort: 8000,
  openApi: {
    title: 'Library reader',
    description: 'Read side of the library API: list, search and fetch books. Sessions are read-only in PostgreSQL.',
    version: '1.0.0',
  },
};
