// The requests that run while a migration runs: `npm run bench:migration` (10^6 books) and the
// migration-under-load test (10^5) drive the same mix, so their figures compare. Request n of a stream; ids are
// spread over the table's 1..rows by multiplying with a prime.

/** The reader's share: one author page (20 books) in four, otherwise a book by id. */
export function readRequest(readerUrl, n, rows) {
  return n % 4 === 0
    ? { name: 'GET /books', url: `${readerUrl}/books?limit=20&author=Author%20${n % 1000}` }
    : { name: 'GET /books/:id', url: `${readerUrl}/books/${1 + ((n * 7919) % rows)}` };
}

/** The writer's share: POST a new book and PATCH an existing one in turn; `round` keeps a later round's ids and texts apart. */
export function writeRequest(writerUrl, n, rows, round = 0) {
  const json = (method, body) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return n % 2 === 0
    ? { name: 'POST /books', url: `${writerUrl}/books`, init: json('POST', { title: `Load ${round}-${n}`, author: 'Load' }) }
    : {
        name: 'PATCH /books/:id',
        url: `${writerUrl}/books/${1 + ((n * 104_729 + round) % rows)}`,
        init: json('PATCH', { description: `patched ${round}-${n}` }),
      };
}
