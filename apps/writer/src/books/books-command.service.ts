import { BadRequestException, ConflictException, Injectable, NotFoundException, PreconditionFailedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { type BookRow, type BookView, toBookView } from '#libs/contracts';
import { type IfMatchCondition, preparedStatement } from '#libs/platform';
import type { CreateBookDto } from './dto/create-book.dto.js';
import type { UpdateBookDto } from './dto/update-book.dto.js';

const EDITABLE_FIELDS = ['title', 'author', 'description', 'isbn'] as const;

/**
 * One data-access style: fixed, parameterised SQL as named prepared statements on the service's pool (or
 * through the idempotency transaction's EntityManager), one statement per write. Chosen over the query
 * builder and the repository because
 * - docs/reliability.md#o-3 needs the version check and the write in ONE statement (`UPDATE … WHERE id = $1 AND
 *   version = ANY($n)`); TypeORM's save() never puts the version in the WHERE clause, and the query builder
 *   hides the `version = version + 1` that @VersionColumn adds. Here the whole statement is in plain sight;
 * - the hot paths were raw SQL already: the builder's metadata work cost more CPU than the statements, and a
 *   prepared statement skips PostgreSQL's parse and plan (BENCHMARKS.md); the benchmark ceiling runs the
 *   same SQL;
 * - no string is ever built: each statement is a constant, only values travel as bind parameters.
 *
 * `$n::int[] IS NULL` means "no If-Match (or *)": any version. An empty array (only weak or foreign ETags)
 * matches nothing, so the write is refused with 412.
 */
const INSERT_BOOK = 'INSERT INTO books (title, author, description, isbn) VALUES ($1, $2, $3, $4) RETURNING *';

/** PUT sends every field; PATCH only some: NULL keeps a text column ($2–$4), and $5 says whether isbn is set. */
const UPDATE_BOOK = `
  UPDATE books
     SET title = COALESCE($2, title),
         author = COALESCE($3, author),
         description = COALESCE($4, description),
         isbn = CASE WHEN $5::boolean THEN $6 ELSE isbn END,
         version = version + 1,
         updated_at = now()
   WHERE id = $1 AND ($7::int[] IS NULL OR version = ANY($7::int[]))
  RETURNING *`;

const DELETE_BOOK = 'DELETE FROM books WHERE id = $1 AND ($2::int[] IS NULL OR version = ANY($2::int[]))';

const BOOK_EXISTS = 'SELECT 1 FROM books WHERE id = $1';

type BookChanges = Partial<Pick<BookView, (typeof EDITABLE_FIELDS)[number]>>;

@Injectable()
export class BooksCommandService {
  // Named prepared statements on the service's pool (BENCHMARKS.md); the idempotency transaction runs the
  // INSERT through its EntityManager instead, on the transaction's connection.
  private readonly insertBook;
  private readonly updateBook;
  private readonly deleteBook;
  private readonly bookExists;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.insertBook = preparedStatement<BookRow>(dataSource, 'book_insert', INSERT_BOOK);
    this.updateBook = preparedStatement<BookRow>(dataSource, 'book_update', UPDATE_BOOK);
    this.deleteBook = preparedStatement<never>(dataSource, 'book_delete', DELETE_BOOK);
    this.bookExists = preparedStatement<{ exists: 1 }>(dataSource, 'book_exists', BOOK_EXISTS);
  }

  async create(dto: CreateBookDto, manager?: EntityManager): Promise<BookView> {
    const isbn = dto.isbn ?? null;
    const values = [dto.title, dto.author, dto.description ?? '', isbn];
    const rows: BookRow[] = await this.guardIsbn(isbn, async () =>
      manager ? manager.query(INSERT_BOOK, values) : (await this.insertBook(values)).rows,
    );
    return toBookView(rows[0]!);
  }

  replace(id: number, dto: CreateBookDto, condition: IfMatchCondition): Promise<BookView> {
    return this.update(id, { title: dto.title, author: dto.author, description: dto.description ?? '', isbn: dto.isbn ?? null }, condition);
  }

  patch(id: number, dto: UpdateBookDto, condition: IfMatchCondition): Promise<BookView> {
    const changes: BookChanges = {};
    for (const field of EDITABLE_FIELDS) {
      const value = dto[field];
      if (value === undefined) continue;
      // PartialType's @IsOptional lets null through every validator; only isbn may be cleared with null.
      if (value === null && field !== 'isbn') throw new BadRequestException(`${field} must not be null`);
      (changes as Record<string, unknown>)[field] = value;
    }
    if (Object.keys(changes).length === 0) {
      throw new BadRequestException(`request body must contain at least one of: ${EDITABLE_FIELDS.join(', ')}`);
    }
    return this.update(id, changes, condition);
  }

  async remove(id: number, condition: IfMatchCondition): Promise<void> {
    const { rowCount } = await this.deleteBook([id, acceptedVersions(condition)]);
    if (rowCount === 0) await this.explainMiss(id);
  }

  private async update(id: number, changes: BookChanges, condition: IfMatchCondition): Promise<BookView> {
    const { title = null, author = null, description = null } = changes;
    const params = [id, title, author, description, changes.isbn !== undefined, changes.isbn ?? null, acceptedVersions(condition)];
    const { rows } = await this.guardIsbn(changes.isbn ?? null, () => this.updateBook(params));
    if (rows.length === 0) return this.explainMiss(id);
    return toBookView(rows[0]!);
  }

  /** Zero rows touched: either the book does not exist (404) or its version moved on (412). */
  private async explainMiss(id: number): Promise<never> {
    if ((await this.bookExists([id])).rows.length === 0) throw new NotFoundException(`book ${id} not found`);
    throw new PreconditionFailedException(`book ${id} was modified since the ETag in If-Match; fetch it again and retry`);
  }

  private async guardIsbn<T>(isbn: string | null, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      // node-postgres's error itself, or wrapped by TypeORM (QueryFailedError) inside the idempotency transaction.
      type PgError = { code?: string; constraint?: string };
      const driverError = (error as { driverError?: PgError }).driverError ?? (error as PgError);
      if (driverError?.code === '23505' && driverError.constraint === 'books_isbn_unique') {
        throw new ConflictException(`isbn ${isbn} already belongs to another book`);
      }
      throw error;
    }
  }
}

/** The If-Match condition as the versions a write may replace; null = any. */
function acceptedVersions(condition: IfMatchCondition): number[] | null {
  return condition.kind === 'versions' ? condition.versions : null;
}
