// Loaded with `node --import`: records every OpenTelemetry package the process resolves (by import or by
// require) and, at exit, writes one JSON line to stderr: {"probe":"loaded-packages","packages":[…]}. The
// tracing test uses it to show that without OTEL_EXPORTER_OTLP_ENDPOINT not one of them is loaded.
import { registerHooks } from 'node:module';

const PACKAGE = /\/node_modules\/(@opentelemetry\/[^/]+|@fastify\/otel|import-in-the-middle|require-in-the-middle)\//;
const packages = new Set();

registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    const name = PACKAGE.exec(resolved.url ?? '')?.[1];
    if (name) packages.add(name);
    return resolved;
  },
});

process.on('exit', () => {
  process.stderr.write(`${JSON.stringify({ probe: 'loaded-packages', packages: [...packages].sort() })}\n`);
});
