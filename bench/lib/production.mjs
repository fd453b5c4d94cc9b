// The production configuration, read where it is defined, so that `npm run bench` and the images suite run
// what the image and prod's ECS task run: the image's node flags (Dockerfile) and prod's tracing (Terraform).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The node flags of the image's ENTRYPOINT (Dockerfile, runtime stage). BENCH_NODE_FLAGS, when set, replaces
 * them for an A/B of V8 flags: `BENCH_NODE_FLAGS="--max-semi-space-size=2" npm run bench …`.
 */
export function imageNodeFlags() {
  if (process.env.BENCH_NODE_FLAGS !== undefined) return process.env.BENCH_NODE_FLAGS.split(/\s+/).filter(Boolean);
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const entrypoint = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(runtime);
  if (!entrypoint) throw new Error('the Dockerfile has no exec-form ENTRYPOINT in its runtime stage');
  const argv = JSON.parse(entrypoint[1]);
  if (argv[0] !== 'node' || argv.at(-1) !== 'dist/main.js') throw new Error(`unexpected ENTRYPOINT ${entrypoint[1]}`);
  return argv.slice(1, -1);
}

/**
 * Tracing as prod's ECS task sets it: the sampler terraform/modules/service/tracing.tf writes into the task
 * definition and the ratio of terraform/envs/prod/main.tf, exporting OTLP/HTTP (protobuf, the default
 * protocol) to `endpoint`.
 */
export function productionTracing(endpoint) {
  const tracingTf = readFileSync(join(root, 'terraform/modules/service/tracing.tf'), 'utf8');
  const prodSettings = readFileSync(join(root, 'terraform/envs/prod/main.tf'), 'utf8');
  const sampler = /OTEL_TRACES_SAMPLER\s*=\s*"([a-z_]+)"/.exec(tracingTf)?.[1];
  const ratio = /tracing\s*=\s*\{[^}]*?sample_ratio\s*=\s*([\d.]+)/s.exec(prodSettings)?.[1];
  if (!sampler || !ratio) throw new Error("cannot read the sampler (terraform/modules/service/tracing.tf) or prod's sample_ratio");
  return { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_TRACES_SAMPLER: sampler, OTEL_TRACES_SAMPLER_ARG: ratio };
}
