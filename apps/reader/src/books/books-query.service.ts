import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { type BookRow, type BookView, toBookView } from '#libs/contracts';
import { preparedStatement } from '#libs/platform';
import type { ListBooksQueryDto } from './dto/list-books-query.dto.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';

export interface BookPage {
  items: BookView[];
  nextCursor: string | null;
}

/**
 * The read path runs fixed, parameterised SQL on the service's pool (same read-only sessions and timeouts)
 * as named prepared statements, and maps rows straight to the response shape: TypeORM's query builder,
 * entity hydration and per-query runner cost more CPU per request than the query itself (BENCHMARKS.md).
 */
const SELECT_BOOK = 'SELECT id, title, author, description, isbn, version, created_at, updated_at FROM books';
/** How many rows in id order a search scans before it turns to the trigram index (see search()). */
const SEARCH_HEAD = 'LIMIT 10000';

/** LIKE treats % _ and \ specially; a search for "100%" must match the text "100%". */
function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

@Injectable()
export class BooksQueryService {
  private readonly byId;
  private readonly firstRows;
  private readonly byAuthor;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.byId = preparedStatement<BookRow>(dataSource, 'book_by_id', `${SELECT_BOOK} WHERE id = $1`);
    this.firstRows = preparedStatement<BookRow>(dataSource, 'books_page', `${SELECT_BOOK} WHERE id > $1 ORDER BY id ASC LIMIT $2`);
    this.byAuthor = preparedStatement<BookRow>(
      dataSource,
      'books_by_author',
      `${SELECT_BOOK} WHERE id > $1 AND lower(author) = lower($3) ORDER BY id ASC LIMIT $2`,
    );
  }

  /**
   * Keyset pagination: `id > last id ORDER BY id`, served by the primary key (or the (lower(author), id)
   * index, or the trigram index for `q`), so page 50,000 costs what page 1 costs. One extra row tells
   * whether there is a next page.
   */
  async list({ limit = 20, cursor, author, q }: ListBooksQueryDto): Promise<BookPage> {
    const filters = { author, q };
    const after = cursor ? decodeCursor(cursor, filters) : 0;
    const params: unknown[] = [after, limit + 1];
    // Only placeholders are interpolated; every value travels as a bind parameter.
    const conditions: string[] = [];
    if (author) conditions.push(`lower(author) = lower($${params.push(author)})`);
    if (q) conditions.push(`(title || ' ' || author) ILIKE $${params.push(`%${escapeLikePattern(q)}%`)}`);
    const rows = q ? await this.search(conditions, params) : (await (author ? this.byAuthor : this.firstRows)(params)).rows;
    const items = rows.slice(0, limit).map(toBookView);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id, filters) : null };
  }

  /** `params` = [after, rows wanted, ...filter values]. */
  private page(conditions: string[], params: unknown[]): Promise<BookRow[]> {
    const sql = `${SELECT_BOOK} WHERE ${['id > $1', ...conditions].join(' AND ')} ORDER BY id ASC LIMIT $2`;
    return this.dataSource.query(sql, params);
  }

  /**
   * PostgreSQL cannot estimate how many rows `ILIKE '%…%'` matches, so on its own it picks the trigram
   * index for every term, and a common word (thousands of matches) reads and sorts every one of them:
   * 50–180 ms at 10^6 rows. Instead, look for the page among the next SEARCH_HEAD_ROWS rows in id order
   * first (a bounded primary-key range scan, a few ms); only when they hold too few matches is the term rare
   * enough for the trigram index to be the fast plan, and the rest of the page comes from there. Rows
   * between the last match and the end of the head cannot match, so the two parts make exactly the page
   * a single query would return.
   */
  private async search(conditions: string[], params: unknown[]): Promise<BookRow[]> {
    const filter = conditions.join(' AND ');
    const headSql = `SELECT * FROM (${SELECT_BOOK} WHERE id > $1 ORDER BY id ASC ${SEARCH_HEAD}) AS head WHERE ${filter} ORDER BY id ASC LIMIT $2`;
    const head: BookRow[] = await this.dataSource.query(headSql, params);
    const wanted = params[1] as number;
    if (head.length >= wanted) return head;
    const rest = await this.page(conditions, [head.at(-1)?.id ?? params[0], wanted - head.length, ...params.slice(2)]);
    return [...head, ...rest];
  }

  async get(id: number): Promise<BookView> {
    const { rows } = await this.byId([id]);
    if (rows.length === 0) throw new NotFoundException(`book ${id} not found`);
    return toBookView(rows[0]!);
  }
}
