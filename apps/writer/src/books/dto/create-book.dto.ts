import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { BOOK_LIMITS, BOOK_TEXT_FIELDS, type BookView } from '#libs/contracts';
import { IsFreeText } from '#libs/platform';
import { IsIsbn, normalizeIsbnInput, trimString } from './book-fields.js';

/**
 * Body of POST /books and PUT /books/:id (PUT replaces: omitted optional fields are reset). The writable
 * fields of the book (BookView), with its limits and text rules; `implements` keeps the types in step.
 */
export class CreateBookDto implements Pick<BookView, 'title' | 'author'>, Partial<Pick<BookView, 'description' | 'isbn'>> {
  // class-validator runs decorators bottom-up and stops at the first failure: type checks go last.
  /** @example "The Dispossessed" */
  @IsFreeText(BOOK_TEXT_FIELDS.title)
  @MaxLength(BOOK_LIMITS.titleMax)
  @IsNotEmpty()
  @IsString()
  @Transform(trimString)
  title!: string;

  /** @example "Ursula K. Le Guin" */
  @IsFreeText(BOOK_TEXT_FIELDS.author)
  @MaxLength(BOOK_LIMITS.authorMax)
  @IsNotEmpty()
  @IsString()
  @Transform(trimString)
  author!: string;

  /** @example "An ambiguous utopia." */
  @IsFreeText(BOOK_TEXT_FIELDS.description)
  @MaxLength(BOOK_LIMITS.descriptionMax)
  @IsString()
  @IsOptional()
  description?: string;

  /** ISBN-10 or ISBN-13, hyphens allowed; stored as ISBN-13. null clears it. @example "978-0-06-051275-0" */
  @IsIsbn()
  @Transform(normalizeIsbnInput)
  @IsOptional()
  isbn?: string | null;
}
