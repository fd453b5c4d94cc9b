import { Body, Controller, Delete, Headers, HttpCode, Param, Patch, Post, Put, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { BookDto, type BookView } from '#libs/persistence';
import { ErrorDto, etagFor, ParseResourceIdPipe, parseIfMatch } from '#libs/platform';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { BooksCommandService } from './books-command.service.js';
import { CreateBookDto } from './dto/create-book.dto.js';
import { UpdateBookDto } from './dto/update-book.dto.js';

const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'ETag from GET /books/:id; the write is refused with 412 if the book changed since',
};

@ApiTags('books')
@ApiBadRequestResponse({ type: ErrorDto, description: 'Invalid body, id or header' })
@Controller('books')
export class BooksController {
  constructor(
    private readonly books: BooksCommandService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: BookDto, headers: { Location: { description: '/books/{id}' }, ETag: { description: 'Strong validator' } } })
  @ApiConflictResponse({ type: ErrorDto, description: 'ISBN already used, or the same Idempotency-Key is in flight' })
  @ApiUnprocessableEntityResponse({ type: ErrorDto, description: 'Idempotency-Key reused with a different body' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Up to 255 characters; a retry with the same key and body replays the first response for 24 h',
  })
  async create(
    @Body() dto: CreateBookDto,
    @Headers('idempotency-key') idempotencyKeyHeader: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const key = this.idempotency.parseKey(idempotencyKeyHeader);
    if (key === undefined) {
      const book = await this.books.create(dto);
      return this.respondWithBook(reply, book, 201);
    }
    const response = await this.idempotency.run(key, dto, async (manager) => {
      const book = await this.books.create(dto, manager);
      return { status: 201, body: book, location: locationOf(book) };
    });
    if (response.location) void reply.header('location', response.location);
    const body = response.body as BookView;
    void reply.status(response.status).header('etag', etagFor(body));
    if (response.replayed) void reply.header('idempotent-replayed', 'true');
    return body;
  }

  @Put(':id')
  @ApiOkResponse({ type: BookDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  @ApiPreconditionFailedResponse({ type: ErrorDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'ISBN already used by another book' })
  @ApiHeader(IF_MATCH)
  async replace(
    @Param('id', ParseResourceIdPipe) id: number,
    @Body() dto: CreateBookDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BookView> {
    return this.respondWithBook(reply, await this.books.replace(id, dto, parseIfMatch(ifMatch, id)), 200);
  }

  @Patch(':id')
  @ApiOkResponse({ type: BookDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  @ApiPreconditionFailedResponse({ type: ErrorDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'ISBN already used by another book' })
  @ApiHeader(IF_MATCH)
  async patch(
    @Param('id', ParseResourceIdPipe) id: number,
    @Body() dto: UpdateBookDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BookView> {
    return this.respondWithBook(reply, await this.books.patch(id, dto, parseIfMatch(ifMatch, id)), 200);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorDto })
  @ApiPreconditionFailedResponse({ type: ErrorDto })
  @ApiHeader(IF_MATCH)
  async remove(@Param('id', ParseResourceIdPipe) id: number, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.books.remove(id, parseIfMatch(ifMatch, id));
  }

  private respondWithBook(reply: FastifyReply, book: BookView, status: number): BookView {
    void reply.status(status).header('etag', etagFor(book));
    if (status === 201) void reply.header('location', locationOf(book));
    return book;
  }
}

function locationOf(book: { id: number }): string {
  return `/books/${book.id}`;
}
