import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { BOOK_LIMITS } from '#libs/persistence';
import { IsIsbn, MULTI_LINE_TEXT, normalizeIsbnInput, SINGLE_LINE_TEXT, trimString } from './book-fields.js';

/** Body of POST /books and PUT /books/:id (PUT replaces: omitted optional fields are reset). */
export class CreateBookDto {
  // class-validator runs decorators bottom-up and stops at the first failure: type checks go last.
  /** @example "The Dispossessed" */
  @Matches(SINGLE_LINE_TEXT, { message: 'title must not contain control characters' })
  @MaxLength(BOOK_LIMITS.titleMax)
  @IsNotEmpty()
  @IsString()
  @Transform(trimString)
  title!: string;

  /** @example "Ursula K. Le Guin" */
  @Matches(SINGLE_LINE_TEXT, { message: 'author must not contain control characters' })
  @MaxLength(BOOK_LIMITS.authorMax)
  @IsNotEmpty()
  @IsString()
  @Transform(trimString)
  author!: string;

  /** @example "An ambiguous utopia." */
  @Matches(MULTI_LINE_TEXT, { message: 'description must not contain control characters other than newlines and tabs' })
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
