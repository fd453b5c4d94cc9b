import { PartialType } from '@nestjs/swagger';
import { CreateBookDto } from './create-book.dto.js';

/** Body of PATCH /books/:id: any subset of the fields, at least one. */
export class UpdateBookDto extends PartialType(CreateBookDto) {}
