import { Module } from '@nestjs/common';
import { BooksController } from './books.controller.js';
import { BooksQueryService } from './books-query.service.js';

@Module({ controllers: [BooksController], providers: [BooksQueryService] })
export class BooksModule {}
