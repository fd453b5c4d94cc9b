import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { BOOK_LIMITS, BOOK_TEXT_FIELDS } from '#libs/contracts';
import { IsFreeText } from '#libs/platform';

const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;

export class ListBooksQueryDto {
  /** Page size, 1–100. */
  // class-validator runs decorators bottom-up and stops at the first failure: type checks go last.
  @Max(100, { message: 'limit must be an integer between 1 and 100' })
  @Min(1, { message: 'limit must be an integer between 1 and 100' })
  @IsInt({ message: 'limit must be an integer between 1 and 100' })
  @Transform(toInteger)
  @IsOptional()
  limit?: number = 20;

  /** The `nextCursor` of the previous page; opaque. */
  @MaxLength(200)
  @IsString()
  @IsOptional()
  cursor?: string;

  /** Exact author name, case-insensitive. */
  @IsFreeText(BOOK_TEXT_FIELDS.author)
  @MaxLength(BOOK_LIMITS.authorMax)
  @MinLength(1)
  @IsString()
  @IsOptional()
  author?: string;

  /**
   * Words searched in title and author: every word must match, in any order; stemmed ("rivers" finds
   * "River"), case- and accent-insensitive. Books whose author is exactly `q` come first.
   */
  @IsFreeText('single-line')
  @MaxLength(100)
  @MinLength(1)
  @IsString()
  @IsOptional()
  q?: string;
}
