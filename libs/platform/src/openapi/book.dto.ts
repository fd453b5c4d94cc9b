import type { BookView } from '#libs/contracts';

/**
 * The response schema of a book, for OpenAPI (the Nest CLI plugin reads the property types and these
 * comments). `implements BookView` keeps it the same shape as the JSON the services send. It lives with
 * the OpenAPI code rather than in #libs/contracts because the plugin makes every DTO file import
 * @nestjs/swagger: the contracts stay loadable without Swagger (the benchmark's ceiling imports them).
 */
export class BookDto implements BookView {
  /** @example 42 */
  id!: number;
  /** @example "The Left Hand of Darkness" */
  title!: string;
  /** @example "Ursula K. Le Guin" */
  author!: string;
  /** @example "A novel set on the planet Gethen." */
  description!: string;
  /** ISBN-13 without separators, or null. @example "9780441478125" */
  isbn!: string | null;
  /** Bumped on every write; the ETag is derived from it. @example 1 */
  version!: number;
  /** @example "2026-11-27T12:00:00.000Z" */
  createdAt!: string;
  /** @example "2026-11-27T12:00:00.000Z" */
  updatedAt!: string;
}
