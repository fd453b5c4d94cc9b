import { PersistenceModule } from '#libs/persistence';
import { defineService } from '#libs/platform';
import { BooksModule } from './books/books.module.js';

export const writerService = defineService({
  name: 'writer',
  imports: () => [PersistenceModule.forRoot('writer'), BooksModule],
  defaultPort: 8001,
  openApi: {
    title: 'Library writer',
    description: 'Write side of the library API: create, replace, update and delete books, with If-Match and Idempotency-Key.',
    version: '1.0.0',
  },
});
