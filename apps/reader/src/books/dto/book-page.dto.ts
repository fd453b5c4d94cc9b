import { BookDto } from '#libs/platform';

export class BookPageDto {
  items!: BookDto[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor!: string | null;
}
