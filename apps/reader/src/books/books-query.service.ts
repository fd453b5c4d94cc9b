import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { type BookRow, type BookView, toBookView } from '#libs/contracts';
import { BookRepository, MAX_SEARCH_WORDS } from '#libs/persistence';
import type { ListBooksQueryDto } from './dto/list-books-query.dto.js';
import {
  decodeCursor,
  decodeSearchCursor,
  encodeCursor,
  encodeSearchCursor,
  InvalidCursorError,
  type SearchPosition,
} from './page-cursor.js';

export interface BookPage {
  items: BookView[];
  nextCursor: string | null;
}

/** Reads books through the repository and maps its rows straight to the response shape. */
@Injectable()
export class BooksQueryService {
  constructor(private readonly books: BookRepository) {}

  /**
   * Keyset pagination: `id > last id ORDER BY id`, served by the primary key (or the (lower(author), id)
   * index), so page 50,000 costs what page 1 costs. One extra row tells whether there is a next page.
   */
  async list({ limit = 20, cursor, author, q }: ListBooksQueryDto): Promise<BookPage> {
    const filters = { author, q };
    if (q !== undefined) {
      return this.search(q, author, limit, cursor ? readCursor(() => decodeSearchCursor(cursor, filters)) : { tier: 0, after: 0 });
    }
    const after = cursor ? readCursor(() => decodeCursor(cursor, filters)) : 0;
    const rows = await this.books.listAfter(after, limit + 1, author);
    const items = rows.slice(0, limit).map(toBookView);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id, filters) : null };
  }

  /**
   * `q`: every word, in any order, in the title or the author; stemmed ("rivers" finds "River"), accents
   * ignored ("wisniewski" finds "Wiśniewski"), stop words ("the", "of") dropped. Relevance in two tiers,
   * each in id order so that pages are stable keyset pages: first the books whose author is exactly the
   * text searched for (a reader typing a name wants that author's books), then every other match.
   */
  private async search(q: string, author: string | undefined, limit: number, from: SearchPosition): Promise<BookPage> {
    const text = q.trim().replace(/\s+/g, ' ');
    const wanted = limit + 1;
    const start = await this.books.searchStart(text, from.tier === 0 ? from.after : 0, from.tier === 0 ? wanted : 0, author ?? null);
    if (start.lexemes.length > MAX_SEARCH_WORDS) {
      throw new BadRequestException(`q must have at most ${MAX_SEARCH_WORDS} words (not counting words like "the")`);
    }
    const found: Array<{ tier: 0 | 1; row: BookRow }> = start.books.map((row) => ({ tier: 0, row }));
    if (found.length < wanted && start.lexemes.length > 0) {
      const after = from.tier === 1 ? from.after : 0;
      const rows = await this.books.searchWords(text, start.lexemes, after, wanted - found.length, author ?? null);
      found.push(...rows.map((row) => ({ tier: 1 as const, row })));
    }
    const page = found.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(({ row }) => toBookView(row)),
      nextCursor: found.length > limit && last ? encodeSearchCursor({ tier: last.tier, after: last.row.id }, { author, q }) : null,
    };
  }

  async get(id: number): Promise<BookView> {
    const row = await this.books.findById(id);
    if (!row) throw new NotFoundException(`book ${id} not found`);
    return toBookView(row);
  }
}

/** A cursor that does not decode, or was issued for other filters, is the client's mistake: 400. */
function readCursor<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new BadRequestException(error.message);
    throw error;
  }
}
