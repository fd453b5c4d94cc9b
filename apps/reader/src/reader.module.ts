import { PersistenceModule } from '#libs/persistence';
import { defineService } from '#libs/platform';
import { BooksModule } from './books/books.module.js';

export const readerService = defineService({
  name: 'reader',
  imports: () => [PersistenceModule.forRoot('reader'), BooksModule],
  defaultPort: 8000,
  openApi: {
    title: 'Library reader',
    description: 'Read side of the library API: list, search and fetch books. Sessions are read-only in PostgreSQL.',
    version: '1.0.0',
  },
});
