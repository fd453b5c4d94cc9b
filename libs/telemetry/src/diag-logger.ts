import type { DiagLogger } from '@opentelemetry/api';

/** The same message is written at most once a minute (a collector that is down fails every export). */
const REPEAT_AFTER_MS = 60_000;

/**
 * OpenTelemetry's own warnings and errors (an export the collector refused, a full span queue) as JSON
 * lines in the service's log format, on stdout like every other line.
 */
export function createDiagLogger(service: string, write: (line: string) => unknown = (line) => process.stdout.write(line)): DiagLogger {
  const lastWritten = new Map<string, number>();
  const log =
    (level: 'warn' | 'error') =>
    (message: string, ...args: unknown[]): void => {
      const detail = args.map((arg) => (arg instanceof Error ? arg.message : typeof arg === 'string' ? arg : safeJson(arg))).join(' ');
      const msg = `tracing: ${message}${detail ? ` ${detail}` : ''}`;
      const now = Date.now();
      if (now - (lastWritten.get(msg) ?? -Infinity) < REPEAT_AFTER_MS) return;
      lastWritten.set(msg, now);
      write(`${JSON.stringify({ level, time: new Date(now).toISOString(), service, msg })}\n`);
    };
  const ignore = (): void => {};
  return { error: log('error'), warn: log('warn'), info: ignore, debug: ignore, verbose: ignore };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
