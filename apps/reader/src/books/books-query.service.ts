import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { BookView } from '#libs/persistence/src/index.js';
import type { ListBooksQueryDto } from './dto/list-books-query.dto.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';

export interface BookPage {
  items: BookView[];
  nextCursor: string | null;
}

interface BookRow {
  id: number;
  title: string;
  author: string;
  description: string;
  isbn: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/**
 * The read path runs fixed, parameterised SQL through the service's DataSource (same pool, read-only
 * sessions and timeouts) and maps rows straight to the response shape: TypeORM's query builder and entity
 * hydration cost more CPU per request than the query itself (BENCHMARKS.md). Writes stay on TypeORM.
 */
const SELECT_BOOK = 'SELECT id, title, author, description, isbn, version, created_at, updated_at FROM books';
const SELECT_BOOK_BY_ID = `${SELECT_BOOK} WHERE id = $1`;

function toView(row: BookRow): BookView {
  return {
    id: row.id,
    title: row.title,
    author: row.author,
    description: row.description,
    isbn: row.isbn,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** LIKE treats % _ and \ specially; a search for "100%" must match the text "100%". */
function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

@Injectable()
export class BooksQueryService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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
    const conditions = ['id > $1'];
    if (author) conditions.push(`lower(author) = lower($${params.push(author)})`);
    if (q) conditions.push(`(title || ' ' || author) ILIKE $${params.push(`%${escapeLikePattern(q)}%`)}`);
    const sql = `${SELECT_BOOK} WHERE ${conditions.join(' AND ')} ORDER BY id ASC LIMIT $2`;
    const rows: BookRow[] = await this.dataSource.query(sql, params);
    const items = rows.slice(0, limit).map(toView);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id, filters) : null };
  }

  async get(id: number): Promise<BookView> {
    const rows: BookRow[] = await this.dataSource.query(SELECT_BOOK_BY_ID, [id]);
    if (rows.length === 0) throw new NotFoundException(`book ${id} not found`);
    return toView(rows[0]!);
  }
}
