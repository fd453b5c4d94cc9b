import { BadRequestException, ConflictException, Injectable, NotFoundException, PreconditionFailedException } from '@nestjs/common';
import { type BookRow, type BookView, toBookView } from '#libs/contracts';
import type { IfMatchCondition } from '#libs/platform';
import {
  type AcceptedVersions,
  type BookChanges,
  BookRepository,
  DuplicateIsbnError,
  EDITABLE_BOOK_FIELDS,
  type Session,
} from '#libs/persistence';
import type { CreateBookDto } from './dto/create-book.dto.js';
import type { UpdateBookDto } from './dto/update-book.dto.js';

/**
 * The writes' rules (If-Match, which fields PATCH may null, what a miss means) over BookRepository, which
 * owns the SQL: the version check and the write are one statement there (docs/reliability.md#o-3).
 */
@Injectable()
export class BooksCommandService {
  constructor(private readonly books: BookRepository) {}

  /** `session`: the idempotency transaction the book is written in, when the request has a key. */
  async create(dto: CreateBookDto, session?: Session): Promise<BookView> {
    const book = { title: dto.title, author: dto.author, description: dto.description ?? '', isbn: dto.isbn ?? null };
    return toBookView(await conflictOnDuplicateIsbn(() => this.books.insert(book, session)));
  }

  replace(id: number, dto: CreateBookDto, condition: IfMatchCondition): Promise<BookView> {
    return this.update(id, { title: dto.title, author: dto.author, description: dto.description ?? '', isbn: dto.isbn ?? null }, condition);
  }

  patch(id: number, dto: UpdateBookDto, condition: IfMatchCondition): Promise<BookView> {
    const changes: BookChanges = {};
    for (const field of EDITABLE_BOOK_FIELDS) {
      const value = dto[field];
      if (value === undefined) continue;
      // PartialType's @IsOptional lets null through every validator; only isbn may be cleared with null.
      if (value === null && field !== 'isbn') throw new BadRequestException(`${field} must not be null`);
      (changes as Record<string, unknown>)[field] = value;
    }
    if (Object.keys(changes).length === 0) {
      throw new BadRequestException(`request body must contain at least one of: ${EDITABLE_BOOK_FIELDS.join(', ')}`);
    }
    return this.update(id, changes, condition);
  }

  async remove(id: number, condition: IfMatchCondition): Promise<void> {
    if (!(await this.books.delete(id, acceptedVersions(condition)))) await this.explainMiss(id);
  }

  private async update(id: number, changes: BookChanges, condition: IfMatchCondition): Promise<BookView> {
    const row = await conflictOnDuplicateIsbn(() => this.books.update(id, changes, acceptedVersions(condition)));
    return row ? toBookView(row) : this.explainMiss(id);
  }

  /** Zero rows touched: either the book does not exist (404) or its version moved on (412). */
  private async explainMiss(id: number): Promise<never> {
    if (!(await this.books.exists(id))) throw new NotFoundException(`book ${id} not found`);
    throw new PreconditionFailedException(`book ${id} was modified since the ETag in If-Match; fetch it again and retry`);
  }
}

async function conflictOnDuplicateIsbn<T extends BookRow | undefined>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof DuplicateIsbnError) throw new ConflictException(error.message);
    throw error;
  }
}

/** The If-Match condition as the versions a write may replace; null = any. */
function acceptedVersions(condition: IfMatchCondition): AcceptedVersions {
  return condition.kind === 'versions' ? condition.versions : null;
}
