import { applyDecorators, Body, Controller, Delete, Headers, HttpCode, Param, Patch, Post, Put, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  type HeaderObject,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { BookView } from '#libs/contracts';
import { BookDto, ErrorDto, etagFor, ParseResourceIdPipe, parseIfMatch, responseHeader } from '#libs/platform';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { BooksCommandService } from './books-command.service.js';
import { CreateBookDto } from './dto/create-book.dto.js';
import { UpdateBookDto } from './dto/update-book.dto.js';
import { DJANGO_PATHS, markDeprecated } from './django-aliases.js';

const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'ETag from GET /books/:id; the write is refused with 412 if the book changed since',
};

const ETAG = { ETag: responseHeader('Strong validator; send as If-Match to change or delete this version') };

/**
 * A Django-era alias (`successor` is the URL to use instead) is marked deprecated and answers with the
 * Deprecation and Link headers (markDeprecated); the current URL has neither.
 */
function aliasDocs(successor: string | undefined): { decorators: MethodDecorator[]; headers: Record<string, HeaderObject> } {
  if (successor === undefined) return { decorators: [], headers: {} };
  return {
    decorators: [
      ApiOperation({
        deprecated: true,
        summary: `Django-era URL, kept working; use ${successor}. Answers with Deprecation and Link headers.`,
      }),
    ],
    headers: {
      Deprecation: responseHeader('RFC 9745: when this URL was deprecated (@ Unix seconds)'),
      Link: responseHeader('The URL to use instead, rel="successor-version"'),
    },
  };
}

const createDocs = (successor?: string) => {
  const alias = aliasDocs(successor);
  return applyDecorators(
    HttpCode(201),
    ...alias.decorators,
    ApiCreatedResponse({
      type: BookDto,
      headers: {
        Location: responseHeader('/books/{id}'),
        ...ETAG,
        'Idempotent-Replayed': responseHeader(
          '"true" when this is the stored response of an earlier request with the same Idempotency-Key',
        ),
        ...alias.headers,
      },
    }),
    ApiConflictResponse({ type: ErrorDto, description: 'ISBN already used, or the same Idempotency-Key is in flight' }),
    ApiUnprocessableEntityResponse({ type: ErrorDto, description: 'Idempotency-Key reused with a different body' }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'Up to 255 characters; a retry with the same key and body replays the first response for 24 h',
    }),
  );
};

const replaceDocs = (successor?: string) => {
  const alias = aliasDocs(successor);
  return applyDecorators(
    ...alias.decorators,
    ApiOkResponse({ type: BookDto, headers: { ...ETAG, ...alias.headers } }),
    ApiNotFoundResponse({ type: ErrorDto }),
    ApiPreconditionFailedResponse({ type: ErrorDto }),
    ApiConflictResponse({ type: ErrorDto, description: 'ISBN already used by another book' }),
    ApiHeader(IF_MATCH),
  );
};

const deleteDocs = (successor?: string) => {
  const alias = aliasDocs(successor);
  return applyDecorators(
    HttpCode(204),
    ...alias.decorators,
    ApiNoContentResponse({ description: 'Deleted', headers: alias.headers }),
    ApiNotFoundResponse({ type: ErrorDto }),
    ApiPreconditionFailedResponse({ type: ErrorDto }),
    ApiHeader(IF_MATCH),
  );
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
  @ApiOperation({ summary: 'Create a book' })
  @createDocs()
  async create(
    @Body() dto: CreateBookDto,
    @Headers('idempotency-key') idempotencyKeyHeader: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BookView> {
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

  @Post(DJANGO_PATHS.create)
  @createDocs('POST /books')
  createAtDjangoPath(
    @Body() dto: CreateBookDto,
    @Headers('idempotency-key') idempotencyKeyHeader: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BookView> {
    markDeprecated(reply, '/books');
    return this.create(dto, idempotencyKeyHeader, reply);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a book (omitted optional fields are reset)' })
  @replaceDocs()
  async replace(
    @Param('id', ParseResourceIdPipe) id: number,
    @Body() dto: CreateBookDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BookView> {
    return this.respondWithBook(reply, await this.books.replace(id, dto, parseIfMatch(ifMatch, id)), 200);
  }

  @Put(DJANGO_PATHS.update)
  @replaceDocs('PUT /books/{id}')
  replaceAtDjangoPath(
    @Param('id', ParseResourceIdPipe) id: number,
    @Body() dto: CreateBookDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BookView> {
    markDeprecated(reply, locationOf({ id }));
    return this.replace(id, dto, ifMatch, reply);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change some fields of a book' })
  @replaceDocs()
  async patch(
    @Param('id', ParseResourceIdPipe) id: number,
    @Body() dto: UpdateBookDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BookView> {
    return this.respondWithBook(reply, await this.books.patch(id, dto, parseIfMatch(ifMatch, id)), 200);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a book' })
  @deleteDocs()
  async remove(@Param('id', ParseResourceIdPipe) id: number, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.books.remove(id, parseIfMatch(ifMatch, id));
  }

  @Delete(DJANGO_PATHS.delete)
  @deleteDocs('DELETE /books/{id}')
  removeAtDjangoPath(
    @Param('id', ParseResourceIdPipe) id: number,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    markDeprecated(reply, locationOf({ id }));
    return this.remove(id, ifMatch);
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
