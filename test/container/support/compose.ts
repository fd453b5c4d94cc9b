import { parse } from 'yaml';

/**
 * docker-compose.yml as Compose reads it: parsed by a real YAML parser with merge keys (`<<: *anchor`), then
 * interpolated like Compose does (${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $$ for a literal $)
 * against the given environment.
 */
export function loadCompose(text: string, env: Record<string, string | undefined> = {}): ComposeFile {
  const document = parse(text, { merge: true }) as unknown;
  return interpolateAll(document, env) as ComposeFile;
}

export function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (all, braced, op, word, bare) => {
      if (all === '$$') return '$';
      const name = braced ?? bare;
      const value = env[name];
      switch (op) {
        case ':-':
          return value ? value : word;
        case '-':
          return value ?? word;
        case ':?':
        case '?':
          if (op === ':?' ? !value : value === undefined) throw new Error(`${name}: ${word || 'required'}`);
          return value!;
        default:
          return value ?? '';
      }
    },
  );
}

function interpolateAll(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateAll(item, env)]));
  }
  return value;
}

export interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> } | string;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | { target: number; published?: string | number; host_ip?: string }>;
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: {
    test?: string[] | string;
    interval?: string;
    timeout?: string;
    retries?: number;
    start_period?: string;
    disable?: boolean;
  };
  volumes?: Array<string | { type: string; source?: string; target: string; read_only?: boolean }>;
  restart?: string;
  read_only?: boolean;
  tmpfs?: string[] | string;
  init?: boolean;
  platform?: string;
  mem_limit?: string | number;
  deploy?: { resources?: { limits?: { memory?: string; cpus?: string } } };
  stop_grace_period?: string;
  [key: string]: unknown;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A service's environment as a map, whichever of the two Compose syntaxes it uses. */
export function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => [entry.split('=')[0]!, entry.split('=').slice(1).join('=')]));
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

/** Published ports as { hostIp, published, target }, from the short ("127.0.0.1:8000:8000") or long syntax. */
export function portsOf(service: ComposeService): Array<{ hostIp?: string; published?: number; target: number }> {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object')
      return { hostIp: port.host_ip, published: port.published === undefined ? undefined : Number(port.published), target: port.target };
    const parts = String(port).split(':');
    const target = Number(parts.at(-1)!.split('/')[0]);
    if (parts.length === 1) return { target };
    if (parts.length === 2) return { published: Number(parts[0]), target };
    return { hostIp: parts.slice(0, -2).join(':'), published: Number(parts.at(-2)), target };
  });
}

/** Memory limit in bytes, from mem_limit or deploy.resources.limits.memory ("512M", "512m", "0.5g", 536870912). */
export function memoryLimitBytes(service: ComposeService): number | undefined {
  const raw = service.deploy?.resources?.limits?.memory ?? service.mem_limit;
  if (raw === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg]?)i?b?$/i.exec(String(raw).trim());
  if (!match) throw new Error(`cannot read memory limit ${raw}`);
  const unit = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as '' | 'b' | 'k' | 'm' | 'g'];
  return Number(match[1]) * unit;
}
