import { CreateBooks1764230400000 } from './1764230400000-create-books.js';
import { CreateIdempotencyKeys1764230500000 } from './1764230500000-create-idempotency-keys.js';
import { CreateServiceRoles1764230600000 } from './1764230600000-create-service-roles.js';
import { CreateBookSearchTerms1764230700000 } from './1764230700000-create-book-search-terms.js';

/** Listed explicitly (no globs): the order is reviewable and works the same from src/ and dist/. */
export const migrations = [
  CreateBooks1764230400000,
  CreateIdempotencyKeys1764230500000,
  CreateServiceRoles1764230600000,
  CreateBookSearchTerms1764230700000,
];
