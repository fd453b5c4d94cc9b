import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

/** Limits shared by the DTOs (validation) and the migration (CHECK constraints), so the two cannot drift. */
export const BOOK_LIMITS = {
  titleMax: 200,
  authorMax: 100,
  descriptionMax: 2000,
} as const;

@Entity({ name: 'books' })
export class Book {
  @PrimaryGeneratedColumn('identity', { type: 'int', generatedIdentity: 'ALWAYS' })
  id!: number;

  @Column({ type: 'varchar', length: BOOK_LIMITS.titleMax })
  title!: string;

  @Column({ type: 'varchar', length: BOOK_LIMITS.authorMax })
  author!: string;

  @Column({ type: 'varchar', length: BOOK_LIMITS.descriptionMax, default: '' })
  description!: string;

  /** ISBN-13, digits only; ISBN-10 input is converted so one book cannot be stored twice. */
  @Column({ type: 'varchar', length: 13, nullable: true, unique: true })
  isbn!: string | null;

  /** Bumped by every write; the ETag is derived from it. */
  @VersionColumn({ type: 'int' })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}

/** The JSON shape of a book in every response (DESIGN.md HTTP contract). */
export interface BookView {
  id: number;
  title: string;
  author: string;
  description: string;
  isbn: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A `books` row as node-postgres returns it (snake_case columns), from `SELECT *` or `RETURNING *`. */
export interface BookRow {
  id: number;
  title: string;
  author: string;
  description: string;
  isbn: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** Both services answer with rows straight from SQL (no entity hydration on the hot paths). */
export function toBookView(row: BookRow): BookView {
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
