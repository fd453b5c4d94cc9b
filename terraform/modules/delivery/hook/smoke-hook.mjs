// ECS lifecycle hook (POST_TEST_TRAFFIC_SHIFT): smoke-tests the new revision of a service through the ALB's test
// listener rule before any production traffic reaches it. Node.js 22 on Lambda, no dependencies (built-in fetch).
//
// ECS invokes the function with the deployment's state (serviceArn, targetServiceRevisionArn, testTrafficWeights,
// productionTrafficWeights) and continues on {"hookStatus": "SUCCEEDED"}; "FAILED", an invalid answer or an error
// rolls the deployment back (ECS Developer Guide, "Lifecycle hooks for Amazon ECS service deployments"). At this
// stage the new revision takes all of the test traffic, i.e. every request that carries the test header
// (modules/load_balancer, delivery.tf), and none of the production traffic.
//
// Configuration (modules/delivery): APP_URL, TEST_HEADER_NAME, TEST_HEADER_VALUE, and SERVICES, a JSON object from
// ECS service name to the checks to run ("reader" or "writer"). The checks follow docs/http-contract.md.

const REQUEST_TIMEOUT_MS = 5_000;

const BOOK_FIELDS = ['id', 'title', 'author', 'description', 'isbn', 'version', 'createdAt', 'updatedAt'];

const isBook = (b) =>
  b !== null &&
  typeof b === 'object' &&
  JSON.stringify(Object.keys(b)) === JSON.stringify(BOOK_FIELDS) &&
  Number.isInteger(b.id) &&
  typeof b.title === 'string' &&
  typeof b.author === 'string' &&
  typeof b.description === 'string' &&
  (b.isbn === null || typeof b.isbn === 'string') &&
  Number.isInteger(b.version) &&
  typeof b.createdAt === 'string' &&
  typeof b.updatedAt === 'string';

// The one error shape of every service answer (docs/http-contract.md, "Errors").
const isError = (status) => (body) =>
  body !== null &&
  typeof body === 'object' &&
  body.statusCode === status &&
  typeof body.error === 'string' &&
  typeof body.message === 'string' &&
  typeof body.requestId === 'string';

/** Per service kind: requests the new revision must answer as the contract says, none of them writing. */
const CHECKS = {
  reader: [
    { name: 'readiness', method: 'GET', path: '/health/ready', status: 200 },
    {
      name: 'first page of books',
      method: 'GET',
      path: '/books?limit=1',
      status: 200,
      shape: (b) =>
        b !== null &&
        typeof b === 'object' &&
        Array.isArray(b.items) &&
        b.items.length <= 1 &&
        b.items.every(isBook) &&
        (b.nextCursor === null || typeof b.nextCursor === 'string'),
    },
  ],
  // The writer answers an invalid body with a 400 before it touches the database (docs/http-contract.md, "Input
  // rules"): proof that the new revision runs and validates, without writing anything.
  writer: [{ name: 'invalid book refused', method: 'POST', path: '/books', body: {}, status: 400, shape: isError(400) }],
};

function config() {
  const { APP_URL, TEST_HEADER_NAME, TEST_HEADER_VALUE, SERVICES } = process.env;
  if (!APP_URL || !TEST_HEADER_NAME || !TEST_HEADER_VALUE || !SERVICES)
    throw new Error('APP_URL, TEST_HEADER_NAME, TEST_HEADER_VALUE and SERVICES must be set (modules/delivery sets them)');
  return { appUrl: APP_URL.replace(/\/+$/, ''), header: [TEST_HEADER_NAME, TEST_HEADER_VALUE], services: JSON.parse(SERVICES) };
}

/** arn:aws:ecs:<region>:<account>:service/<cluster>/<service> → <service> */
function serviceNameOf(serviceArn) {
  const match = /^arn:[^:]+:ecs:[^:]*:[^:]*:service\/[^/]+\/([^/]+)$/.exec(serviceArn ?? '');
  return match ? match[1] : null;
}

async function runCheck(appUrl, header, check) {
  const started = Date.now();
  try {
    const response = await fetch(`${appUrl}${check.path}`, {
      method: check.method,
      headers: {
        [header[0]]: header[1],
        accept: 'application/json',
        ...(check.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: check.body === undefined ? undefined : JSON.stringify(check.body),
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    const ms = Date.now() - started;
    if (response.status !== check.status)
      return { ok: false, check: check.name, ms, reason: `${check.method} ${check.path} answered ${response.status}, expected ${check.status}` };
    if (check.shape) {
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        return { ok: false, check: check.name, ms, reason: `${check.method} ${check.path} answered ${response.status} without a JSON body` };
      }
      if (!check.shape(body))
        return { ok: false, check: check.name, ms, reason: `${check.method} ${check.path} answered a body of the wrong shape` };
    }
    return { ok: true, check: check.name, ms };
  } catch (err) {
    const cause = err?.cause?.code ?? err?.name ?? 'Error';
    return { ok: false, check: check.name, ms: Date.now() - started, reason: `${check.method} ${check.path} failed: ${cause}` };
  }
}

export async function handler(event) {
  // The documented payload carries the fields at the top level; accept them under executionDetails as well.
  const details = event?.executionDetails ?? event ?? {};
  let cfg;
  try {
    cfg = config();
  } catch (err) {
    console.log(JSON.stringify({ hookStatus: 'FAILED', reason: err.message }));
    return { hookStatus: 'FAILED' };
  }
  const serviceName = serviceNameOf(details.serviceArn);
  const kind = serviceName === null ? undefined : cfg.services[serviceName];
  const checks = kind === undefined ? undefined : CHECKS[kind];
  if (!checks) {
    console.log(JSON.stringify({ hookStatus: 'FAILED', serviceArn: details.serviceArn ?? null, reason: 'not a service of this stack' }));
    return { hookStatus: 'FAILED' };
  }
  const results = [];
  for (const check of checks) results.push(await runCheck(cfg.appUrl, cfg.header, check));
  const hookStatus = results.every((r) => r.ok) ? 'SUCCEEDED' : 'FAILED';
  console.log(JSON.stringify({ hookStatus, service: serviceName, revision: details.targetServiceRevisionArn ?? null, results }));
  return { hookStatus };
}
