#!/usr/bin/env node
// One real trace, drawn: the picture in docs/tracing.md. No trace UI (Jaeger, Zipkin) installs from npm
// or Debian on the machines this project is built on, so this draws the spans itself, as a waterfall in the
// manner of Jaeger's trace view, from what the services really exported:
//
//   embedded PostgreSQL → migrate → the built writer with tracing on, exporting OTLP/HTTP JSON to a receiver
//   in this process (scripts/otlp-receiver.mjs) → one POST /books with an Idempotency-Key and the header an
//   ALB adds (X-Amzn-Trace-Id: Root=…) → SIGTERM (the drain flushes the spans) → an HTML page of that trace
//   → a PNG by headless Chromium (Debian's `chromium` package), when it is installed.
//
//   node scripts/trace-waterfall.mjs [--out docs/trace-waterfall.png] [--html path]
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, startEmbeddedPostgres } from './embedded-postgres.mjs';
import { ensureBuild } from './ensure-build.mjs';
import { startOtlpReceiver } from './otlp-receiver.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: flags } = parseArgs({
  options: { out: { type: 'string', default: 'docs/trace-waterfall.png' }, html: { type: 'string' } },
});
const say = (line) => process.stderr.write(`[trace-waterfall] ${line}\n`);

const tmp = mkdtempSync(join(os.tmpdir(), 'trace-waterfall-'));
chmodSync(tmp, 0o755); // as root, PostgreSQL runs as an unprivileged user that must reach its data dir
const receiver = await startOtlpReceiver();
let postgres;
try {
  ensureBuild({ log: say });
  postgres = await startEmbeddedPostgres({ dataDir: join(tmp, 'pg'), persistent: false });
  await postgres.createDatabase('library_db');
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    DB_HOST: postgres.host,
    DB_PORT: String(postgres.port),
    DB_USER: postgres.user,
    DB_PASSWORD: postgres.password,
    DB_NAME: 'library_db',
    LOG_LEVEL: 'info',
  };
  const migrate = spawnSync(process.execPath, ['dist/apps/writer/src/main.js', 'migrate'], { cwd: root, env, encoding: 'utf8' });
  if (migrate.status !== 0) throw new Error(`migrate failed:\n${migrate.stdout}${migrate.stderr}`);

  const port = await freePort();
  const writer = spawn(process.execPath, ['dist/apps/writer/src/main.js'], {
    cwd: root,
    env: {
      ...env,
      PORT: String(port),
      // What the ECS task sets (terraform/modules/service/tracing.tf), JSON so that this script can read it.
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'library-dev-writer',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let logs = '';
  writer.stdout.on('data', (chunk) => (logs += chunk));
  const exited = new Promise((done) => writer.on('exit', done));
  const url = `http://127.0.0.1:${port}`;
  for (let ready = false; !ready;) {
    ready = await fetch(`${url}/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (!ready) await new Promise((done) => setTimeout(done, 50));
  }

  const epoch = Math.floor(Date.now() / 1000).toString(16);
  const albRoot = `1-${epoch}-${'3f1c0a7be52d9e4681c2f7a0'}`;
  const response = await fetch(`${url}/books`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': 'order-7f3e', 'x-amzn-trace-id': `Root=${albRoot}` },
    body: JSON.stringify({ title: 'The Left Hand of Darkness', author: 'Ursula K. Le Guin', isbn: '978-0-441-47812-5' }),
  });
  say(`POST /books → ${response.status}`);
  writer.kill('SIGTERM');
  await exited;

  const traceId = albRoot.slice(2).replace('-', '');
  const spans = receiver.spans.filter((span) => span.traceId === traceId);
  if (spans.length === 0) throw new Error('no span of the request reached the receiver');
  const logLine = logs
    .split('\n')
    .filter((line) => line.includes(traceId))
    .at(-1);
  const html = renderWaterfall(spans, { albRoot, logLine });
  const htmlPath = flags.html ? resolve(flags.html) : join(tmp, 'trace.html');
  writeFileSync(htmlPath, html);
  say(`${spans.length} spans; page at ${htmlPath}`);

  const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find((bin) => spawnSync('which', [bin]).status === 0);
  if (!chromium) throw new Error('no chromium to take the screenshot (apt-get install chromium); the HTML page is the trace');
  const out = resolve(root, flags.out);
  mkdirSync(dirname(out), { recursive: true });
  const shot = spawnSync(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      '--force-device-scale-factor=1',
      `--window-size=1280,${130 + spans.length * 46 + (logLine ? 110 : 0)}`,
      `--screenshot=${out}`,
      `file://${htmlPath}`,
    ],
    { encoding: 'utf8' },
  );
  if (!existsSync(out)) throw new Error(`chromium made no screenshot:\n${shot.stderr}`);
  say(`wrote ${out}`);
} finally {
  await receiver.close();
  await postgres?.stop();
  if (!flags.html) rmSync(tmp, { recursive: true, force: true });
}

/** The spans of one trace as a waterfall: one row per span, indented under its parent, bars on a shared time axis. */
function renderWaterfall(spans, { albRoot, logLine }) {
  const ns = (value) => BigInt(value);
  const start = spans.reduce(
    (min, span) => (ns(span.startTimeUnixNano) < min ? ns(span.startTimeUnixNano) : min),
    ns(spans[0].startTimeUnixNano),
  );
  const end = spans.reduce((max, span) => (ns(span.endTimeUnixNano) > max ? ns(span.endTimeUnixNano) : max), 0n);
  const total = Number(end - start) / 1e6;
  const byParent = new Map();
  for (const span of spans) byParent.set(span.parentSpanId, [...(byParent.get(span.parentSpanId) ?? []), span]);
  const ids = new Set(spans.map((span) => span.spanId));
  const rows = [];
  const walk = (span, depth) => {
    rows.push({ span, depth });
    const children = (byParent.get(span.spanId) ?? []).sort((a, b) => (ns(a.startTimeUnixNano) < ns(b.startTimeUnixNano) ? -1 : 1));
    for (const child of children) walk(child, depth + 1);
  };
  for (const rootSpan of spans.filter((span) => !span.parentSpanId || !ids.has(span.parentSpanId))) walk(rootSpan, 0);

  const escape = (text) => String(text).replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
  const colour = (span) =>
    span.kind === 2 ? '#4f7dd1' : span.name === 'pg-pool.connect' || span.name === 'pg.connect' ? '#9aa5b1' : '#e0913a';
  const detail = (span) => {
    const a = span.attributes;
    if (span.kind === 2)
      return `${a['http.request.method']} ${a['url.path']} → ${a['http.response.status_code']} · route ${a['http.route']}`;
    if (a['db.query.text']) return `${a['db.operation.name']} · ${a['db.query.text']}`;
    return `${a['db.system.name'] ?? ''} ${a['server.address'] ?? ''}:${a['server.port'] ?? ''}`;
  };
  const scopeOf = (span) => (span.scope === '@fastify/otel' ? 'fastify' : span.scope.replace(/^@opentelemetry\/instrumentation-/, ''));
  const server = spans.find((span) => span.kind === 2);
  const service = server?.resource['service.name'] ?? '';
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => `<span style="left:${f * 100}%">${(total * f).toFixed(2)} ms</span>`).join('');
  const body = rows
    .map(({ span, depth }) => {
      const offset = (Number(ns(span.startTimeUnixNano) - start) / 1e6 / total) * 100;
      const width = Math.max(0.4, (Number(ns(span.endTimeUnixNano) - ns(span.startTimeUnixNano)) / 1e6 / total) * 100);
      const ms = (Number(ns(span.endTimeUnixNano) - ns(span.startTimeUnixNano)) / 1e6).toFixed(2);
      return `<div class="row">
  <div class="label" style="padding-left:${12 + depth * 18}px"><span class="svc" style="background:${colour(span)}"></span><b>${escape(span.name)}</b><small>${escape(scopeOf(span))}</small><span class="ms">${ms} ms</span></div>
  <div class="lane"><div class="bar" style="left:${offset}%;width:${width}%;background:${colour(span)}"></div><div class="detail">${escape(detail(span))}</div></div>
</div>`;
    })
    .join('\n');
  return `<!doctype html><meta charset="utf-8"><title>trace ${spans[0].traceId}</title>
<style>
  body { margin: 0; font: 13px/1.35 -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif; color: #1d232b; background: #fff; }
  header { padding: 14px 18px 10px; border-bottom: 1px solid #d7dde3; background: #f4f6f8; }
  header h1 { margin: 0 0 4px; font-size: 17px; font-weight: 600; }
  header p { margin: 2px 0; color: #4c5561; }
  code { font: 12px 'DejaVu Sans Mono', monospace; }
  .axis, .row { display: grid; grid-template-columns: 360px 1fr; }
  .axis div:last-child { position: relative; height: 22px; margin: 0 24px 0 10px; }
  .axis { border-bottom: 1px solid #d7dde3; }
  .axis span { position: absolute; top: 4px; transform: translateX(-50%); color: #6b7480; font-size: 11px; white-space: nowrap; }
  .axis span:first-child { transform: none; } .axis span:last-child { transform: translateX(-100%); }
  .row { border-bottom: 1px solid #eef1f4; min-height: 45px; }
  .label { display: flex; align-items: center; gap: 6px; white-space: nowrap; overflow: hidden; border-right: 1px solid #d7dde3; padding-right: 10px; }
  .label small { color: #7a838e; }
  .label .ms { margin-left: auto; color: #4c5561; font-size: 12px; }
  .svc { width: 4px; height: 26px; border-radius: 2px; flex: none; }
  .lane { position: relative; margin: 0 24px 0 10px; }
  .bar { position: absolute; top: 7px; height: 12px; border-radius: 2px; }
  .detail { position: absolute; top: 23px; left: 0; right: 0; font: 11px 'DejaVu Sans Mono', monospace; color: #4c5561; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  footer { padding: 10px 18px; color: #4c5561; border-top: 1px solid #d7dde3; background: #f4f6f8; }
  footer code { display: block; margin-top: 4px; white-space: pre-wrap; word-break: break-all; }
</style>
<header>
  <h1>${escape(service)}: ${escape(server?.name ?? '')} <span style="font-weight:400;color:#4c5561">· ${total.toFixed(2)} ms · ${spans.length} spans</span></h1>
  <p>Trace <code>${spans[0].traceId}</code> = the Root of the request's <code>X-Amzn-Trace-Id: Root=${escape(albRoot)}</code>, sent as an ALB sends it (X-Ray names the trace <code>${escape(albRoot)}</code>)</p>
  <p>Drawn by scripts/trace-waterfall.mjs from the OTLP spans the built writer exported (not a trace UI's screenshot).</p>
</header>
<div class="axis"><div></div><div>${ticks}</div></div>
${body}
${logLine ? `<footer>The request's log line, with the same trace id:<code>${escape(logLine)}</code></footer>` : ''}
`;
}
