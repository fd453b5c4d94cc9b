import { Module } from '@nestjs/common';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { BooksController } from './books.controller.js';
import { BooksCommandService } from './books-command.service.js';

@Module({ controllers: [BooksController], providers: [BooksCommandService, IdempotencyService] })
export class BooksModule {}
