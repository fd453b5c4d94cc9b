import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Book, type BookView, toBookView } from '#libs/persistence/src/index.js';
import type { ListBooksQueryDto } from './dto/list-books-query.dto.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';

export interface BookPage {
  items: BookView[];
  nextCursor: string | null;
}

/** LIKE treats % _ and \ specially; a search for "100%" must match the text "100%". */
function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

@Injectable()
export class BooksQueryService {
  constructor(@InjectRepository(Book) private readonly books: Repository<Book>) {}

  /**
   * Keyset pagination: `id > last id ORDER BY id`, served by the primary key (or the (lower(author), id)
   * index, or the trigram index for `q`), so page 50,000 costs what page 1 costs. One extra row tells
   * whether there is a next page.
   */
  async list({ limit = 20, cursor, author, q }: ListBooksQueryDto): Promise<BookPage> {
    const filters = { author, q };
    const after = cursor ? decodeCursor(cursor, filters) : 0;
    const query = this.books
      .createQueryBuilder('book')
      .where('book.id > :after', { after })
      .orderBy('book.id', 'ASC')
      .limit(limit + 1);
    if (author) query.andWhere('lower(book.author) = lower(:author)', { author });
    if (q) query.andWhere(`(book.title || ' ' || book.author) ILIKE :pattern`, { pattern: `%${escapeLikePattern(q)}%` });
    const rows = await query.getMany();
    const items = rows.slice(0, limit).map(toBookView);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id, filters) : null };
  }

  async get(id: number): Promise<BookView> {
    const book = await this.books.findOneBy({ id });
    if (!book) throw new NotFoundException(`book ${id} not found`);
    return toBookView(book);
  }
}
