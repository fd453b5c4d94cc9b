import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { BOOK_LIMITS, type BookRecord } from '#libs/contracts';

/** The `books` table as TypeORM sees it; `implements BookRecord` keeps it the shape of the contract. */
@Entity({ name: 'books' })
export class Book implements BookRecord {
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
