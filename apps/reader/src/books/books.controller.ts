import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { BookView } from '#libs/contracts';
import { BookDto, ErrorDto, etagFor, ifNoneMatchHits, ParseResourceIdPipe, responseHeader } from '#libs/platform';
import { BooksQueryService, type BookPage } from './books-query.service.js';
import { BookPageDto } from './dto/book-page.dto.js';
import { ListBooksQueryDto } from './dto/list-books-query.dto.js';

const VALIDATOR_HEADERS = {
  ETag: responseHeader('Strong validator; send as If-Match to the writer'),
  'Cache-Control': responseHeader('no-cache: revalidate with If-None-Match'),
};

@ApiTags('books')
@ApiBadRequestResponse({ type: ErrorDto, description: 'Invalid query, cursor or id' })
@Controller('books')
export class BooksController {
  constructor(private readonly books: BooksQueryService) {}

  @Get()
  @ApiOperation({ summary: 'List books, optionally by author or search words, a page at a time' })
  @ApiOkResponse({ type: BookPageDto })
  list(@Query() query: ListBooksQueryDto): Promise<BookPage> {
    return this.books.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one book, with its ETag' })
  @ApiOkResponse({ type: BookDto, headers: VALIDATOR_HEADERS })
  @ApiResponse({ status: 304, description: 'If-None-Match matched the current ETag', headers: VALIDATOR_HEADERS })
  @ApiNotFoundResponse({ type: ErrorDto })
  @ApiHeader({ name: 'If-None-Match', required: false })
  async get(
    @Param('id', ParseResourceIdPipe) id: number,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BookView | undefined> {
    const book = await this.books.get(id);
    const etag = etagFor(book);
    void reply.header('etag', etag).header('cache-control', 'no-cache');
    if (ifNoneMatchHits(ifNoneMatch, etag)) {
      void reply.status(304);
      return undefined;
    }
    return book;
  }
}
