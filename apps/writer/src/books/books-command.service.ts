import { BadRequestException, ConflictException, Injectable, NotFoundException, PreconditionFailedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, WhereExpressionBuilder } from 'typeorm';
import { Book, type BookRow, type BookView, toBookView } from '#libs/persistence';
import type { IfMatchCondition } from '#libs/platform';
import type { CreateBookDto } from './dto/create-book.dto.js';
import type { UpdateBookDto } from './dto/update-book.dto.js';

const EDITABLE_FIELDS = ['title', 'author', 'description', 'isbn'] as const;
type BookChanges = Partial<Pick<Book, (typeof EDITABLE_FIELDS)[number]>>;

// A string is passed to RETURNING as is; an array would be filtered to entity property names (no created_at).
const RETURNED_COLUMNS = '*';

/**
 * POST is the writer's hot path: one fixed, parameterised INSERT through the same DataSource or transaction
 * manager. TypeORM's insert builder (metadata, value escaping, RETURNING mapping) cost more CPU than the
 * statement itself (BENCHMARKS.md); version (1), created_at and updated_at come from the column defaults.
 */
const INSERT_BOOK = 'INSERT INTO books (title, author, description, isbn) VALUES ($1, $2, $3, $4) RETURNING *';

/**
 * Every write is one SQL statement. Updates and deletes carry the expected version in their WHERE clause
 * (TypeORM's save() does not), so two clients holding the same ETag cannot both win. The query builder
 * bumps `version` (@VersionColumn) and `updated_at` (@UpdateDateColumn) in the same UPDATE.
 */
@Injectable()
export class BooksCommandService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(dto: CreateBookDto, manager: EntityManager = this.dataSource.manager): Promise<BookView> {
    const isbn = dto.isbn ?? null;
    const rows: BookRow[] = await this.guardIsbn(isbn, () =>
      manager.query(INSERT_BOOK, [dto.title, dto.author, dto.description ?? '', isbn]),
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
    const query = this.dataSource.createQueryBuilder().delete().from(Book).where('id = :id', { id });
    const result = await withVersionCheck(query, condition).execute();
    if (!result.affected) await this.explainMiss(id);
  }

  private async update(id: number, changes: BookChanges, condition: IfMatchCondition): Promise<BookView> {
    const query = this.dataSource.createQueryBuilder().update(Book).set(changes).where('id = :id', { id });
    const result = await this.guardIsbn(changes.isbn ?? null, () =>
      withVersionCheck(query, condition).returning(RETURNED_COLUMNS).execute(),
    );
    const row = (result.raw as BookRow[])[0];
    if (!row) return this.explainMiss(id);
    return toBookView(row);
  }

  /** Zero rows touched: either the book does not exist (404) or its version moved on (412). */
  private async explainMiss(id: number): Promise<never> {
    if (!(await this.dataSource.getRepository(Book).existsBy({ id }))) throw new NotFoundException(`book ${id} not found`);
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

/** Adds the If-Match condition as a version predicate, so the check and the write are one statement. */
function withVersionCheck<Q extends WhereExpressionBuilder>(query: Q, condition: IfMatchCondition): Q {
  if (condition.kind !== 'versions') return query;
  // An empty list (only weak or foreign tags) can match nothing: the write must fail with 412.
  return condition.versions.length === 0
    ? (query.andWhere('false') as Q)
    : (query.andWhere('version IN (:...versions)', { versions: condition.versions }) as Q);
}
