// Builds terraform/modules/delivery/hook/smoke-hook.zip, the deployment package of the ECS lifecycle hook, from
// smoke-hook.mjs beside it: `node scripts/build-smoke-hook.mjs`. The zip is committed (Terraform reads it with
// filebase64sha256, no archive provider), so the build is byte-for-byte reproducible: a fixed timestamp in the
// local-time DOS fields only (no extended UTC timestamp, which would move with the time zone), fixed file mode,
// stored without compression (no dependency on the zlib version). scripts/build-smoke-hook.spec.ts rebuilds it
// and compares the bytes. Exit codes: 0 written (or unchanged), 1 the source could not be read or the zip written.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';

const HOOK_DIR = fileURLToPath(new URL('../terraform/modules/delivery/hook/', import.meta.url));
export const HOOK_SOURCE = `${HOOK_DIR}smoke-hook.mjs`;
export const HOOK_ZIP = `${HOOK_DIR}smoke-hook.zip`;

// 1980-01-01 00:00 in local time: the DOS date/time fields hold local time, so this is the same bytes everywhere.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

/** The zip's bytes, built from the hook's source. */
export function buildSmokeHookZip() {
  const zip = new yazl.ZipFile();
  zip.addBuffer(readFileSync(HOOK_SOURCE), 'smoke-hook.mjs', {
    mtime: FIXED_MTIME,
    mode: 0o100644,
    compress: false,
    forceDosTimestamp: true,
  });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks = [];
    zip.outputStream.on('data', (c) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    writeFileSync(HOOK_ZIP, await buildSmokeHookZip());
    process.stdout.write(`wrote ${HOOK_ZIP}\n`);
  } catch (err) {
    process.stderr.write(`build-smoke-hook: ${err.message} (is terraform/modules/delivery/hook/smoke-hook.mjs readable?)\n`);
    process.exitCode = 1;
  }
}
