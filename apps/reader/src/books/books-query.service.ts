import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { type BookRow, type BookView, toBookView } from '#libs/contracts';
import { type PreparedStatement, preparedStatement } from '#libs/platform';
import type { ListBooksQueryDto } from './dto/list-books-query.dto.js';
import { BOOK_COLUMNS, MAX_SEARCH_WORDS, SEARCH_START, searchTierOneSql } from './search-sql.js';
import { decodeCursor, decodeSearchCursor, encodeCursor, encodeSearchCursor, type SearchPosition } from './page-cursor.js';

export interface BookPage {
  items: BookView[];
  nextCursor: string | null;
}

/**
 * The read path runs fixed, parameterised SQL on the service's pool (same read-only sessions and timeouts)
 * as named prepared statements, and maps rows straight to the response shape: TypeORM's query builder,
 * entity hydration and per-query runner cost more CPU per request than the query itself (BENCHMARKS.md).
 */
const SELECT_BOOK = `SELECT ${BOOK_COLUMNS} FROM books`;

/** The lexemes, and a tier-0 book or (no tier-0 book) NULLs in the book's columns. */
interface SearchStartRow extends Omit<BookRow, 'id'> {
  lexemes: string[];
  id: number | null;
}

@Injectable()
export class BooksQueryService {
  private readonly byId;
  private readonly firstRows;
  private readonly byAuthor;
  private readonly searchStart;
  private readonly searchTierOne: Array<PreparedStatement<BookRow>>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.byId = preparedStatement<BookRow>(dataSource, 'book_by_id', `${SELECT_BOOK} WHERE id = $1`);
    this.firstRows = preparedStatement<BookRow>(dataSource, 'books_page', `${SELECT_BOOK} WHERE id > $1 ORDER BY id ASC LIMIT $2`);
    this.byAuthor = preparedStatement<BookRow>(
      dataSource,
      'books_by_author',
      `${SELECT_BOOK} WHERE id > $1 AND lower(author) = lower($3) ORDER BY id ASC LIMIT $2`,
    );
    this.searchStart = preparedStatement<SearchStartRow>(dataSource, 'books_search_start', SEARCH_START);
    this.searchTierOne = Array.from({ length: MAX_SEARCH_WORDS }, (_, i) =>
      preparedStatement<BookRow>(dataSource, `books_search_words_${i + 1}`, searchTierOneSql(i + 1)),
    );
  }

  /**
   * Keyset pagination: `id > last id ORDER BY id`, served by the primary key (or the (lower(author), id)
   * index), so page 50,000 costs what page 1 costs. One extra row tells whether there is a next page.
   */
  async list({ limit = 20, cursor, author, q }: ListBooksQueryDto): Promise<BookPage> {
    const filters = { author, q };
    if (q !== undefined) return this.search(q, author, limit, cursor ? decodeSearchCursor(cursor, filters) : { tier: 0, after: 0 });
    const after = cursor ? decodeCursor(cursor, filters) : 0;
    const { rows } = await (author ? this.byAuthor([after, limit + 1, author]) : this.firstRows([after, limit + 1]));
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
    const start = await this.searchStart([text, from.tier === 0 ? from.after : 0, from.tier === 0 ? wanted : 0, author ?? null]);
    const lexemes = start.rows[0]?.lexemes ?? [];
    if (lexemes.length > MAX_SEARCH_WORDS) {
      throw new BadRequestException(`q must have at most ${MAX_SEARCH_WORDS} words (not counting words like "the")`);
    }
    const found: Array<{ tier: 0 | 1; row: BookRow }> = start.rows.flatMap((row) =>
      row.id === null ? [] : [{ tier: 0 as const, row: { ...row, id: row.id } }],
    );
    if (found.length < wanted && lexemes.length > 0) {
      const after = from.tier === 1 ? from.after : 0;
      const { rows } = await this.searchTierOne[lexemes.length - 1]!([text, after, wanted - found.length, author ?? null, ...lexemes]);
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
    const { rows } = await this.byId([id]);
    if (rows.length === 0) throw new NotFoundException(`book ${id} not found`);
    return toBookView(rows[0]!);
  }
}
