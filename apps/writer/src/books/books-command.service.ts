import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
  PreconditionFailedException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Book, type BookView } from '#libs/persistence/src/index.js';
import type { IfMatchCondition } from '#libs/platform/src/index.js';
import type { CreateBookDto } from './dto/create-book.dto.js';
import type { UpdateBookDto } from './dto/update-book.dto.js';

const EDITABLE_FIELDS = ['title', 'author', 'description', 'isbn'] as const;
type BookChanges = Partial<Pick<Book, (typeof EDITABLE_FIELDS)[number]>>;

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

function rowToView(row: BookRow): BookView {
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

const RETURNING = 'id, title, author, description, isbn, version, created_at, updated_at';

/**
 * Every write is one SQL statement. Updates and deletes carry the expected version in their WHERE clause
 * (TypeORM's save() does not), so two clients holding the same ETag cannot both win.
 */
@Injectable()
export class BooksCommandService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(dto: CreateBookDto, manager: EntityManager = this.dataSource.manager): Promise<BookView> {
    const values = { title: dto.title, author: dto.author, description: dto.description ?? '', isbn: dto.isbn ?? null };
    const rows = await this.guardIsbn(values.isbn, () =>
      manager.query<BookRow[]>(
        `INSERT INTO books (title, author, description, isbn) VALUES ($1, $2, $3, $4) RETURNING ${RETURNING}`,
        [values.title, values.author, values.description, values.isbn],
      ),
    );
    return rowToView(rows[0]!);
  }

  replace(id: number, dto: CreateBookDto, condition: IfMatchCondition): Promise<BookView> {
    return this.update(id, { title: dto.title, author: dto.author, description: dto.description ?? '', isbn: dto.isbn ?? null }, condition);
  }

  patch(id: number, dto: UpdateBookDto, condition: IfMatchCondition): Promise<BookView> {
    const changes: BookChanges = {};
    for (const field of EDITABLE_FIELDS) {
      if (dto[field] !== undefined) (changes as Record<string, unknown>)[field] = dto[field];
    }
    if (Object.keys(changes).length === 0) {
      throw new BadRequestException(`request body must contain at least one of: ${EDITABLE_FIELDS.join(', ')}`);
    }
    return this.update(id, changes, condition);
  }

  async remove(id: number, condition: IfMatchCondition): Promise<void> {
    const [sql, params] = withVersionCheck(`DELETE FROM books WHERE id = $1`, [id], condition);
    const [, affected] = await this.dataSource.query<[unknown[], number]>(`${sql} RETURNING id`, params);
    if (affected === 0) await this.explainMiss(id);
  }

  private async update(id: number, changes: BookChanges, condition: IfMatchCondition): Promise<BookView> {
    const fields = Object.keys(changes);
    const assignments = fields.map((field, index) => `${field} = $${index + 2}`);
    const [sql, params] = withVersionCheck(
      `UPDATE books SET ${assignments.join(', ')}, version = version + 1, updated_at = now() WHERE id = $1`,
      [id, ...fields.map((field) => (changes as Record<string, unknown>)[field])],
      condition,
    );
    const [rows] = await this.guardIsbn(changes.isbn ?? null, () =>
      this.dataSource.query<[BookRow[], number]>(`${sql} RETURNING ${RETURNING}`, params),
    );
    if (rows.length === 0) return this.explainMiss(id);
    return rowToView(rows[0]!);
  }

  /** Zero rows touched: either the book does not exist (404) or its version moved on (412). */
  private async explainMiss(id: number): Promise<never> {
    const exists = await this.dataSource.query<unknown[]>('SELECT 1 FROM books WHERE id = $1', [id]);
    if (exists.length === 0) throw new NotFoundException(`book ${id} not found`);
    throw new PreconditionFailedException(`book ${id} was modified since the ETag in If-Match; fetch it again and retry`);
  }

  private async guardIsbn<T>(isbn: string | null, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      const driverError = (error as { driverError?: { code?: string; constraint?: string } }).driverError;
      if (driverError?.code === '23505' && driverError.constraint === 'books_isbn_unique') {
        throw new ConflictException(`isbn ${isbn} already belongs to another book`);
      }
      throw error;
    }
  }
}

/** Appends the If-Match condition as a version predicate, so the check and the write are one statement. */
function withVersionCheck(sql: string, params: unknown[], condition: IfMatchCondition): [string, unknown[]] {
  if (condition.kind !== 'versions') return [sql, params];
  return [`${sql} AND version = ANY($${params.length + 1}::int[])`, [...params, condition.versions]];
}
