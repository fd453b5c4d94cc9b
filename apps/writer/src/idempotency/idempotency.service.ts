import {
  BadRequestException,
  ConflictException,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  UnprocessableEntityException,
} from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EnvironmentVariables } from '#libs/config';
import { Database, IDEMPOTENCY_KEY_MAX_LENGTH, IdempotencyRepository, type SavedOutcome, type Session } from '#libs/persistence';

export interface SavedResponse {
  status: number;
  body: unknown;
  location: string | null;
  replayed: boolean;
}

const PURGE_EVERY_MS = 10 * 60 * 1000;

/**
 * Idempotency-Key semantics (IETF httpapi draft, Stripe): the key's record and the write it guards commit in
 * one transaction; a retry replays the first response; the same key with another body is 422; a duplicate
 * arriving while the first is still running is 409 (a transaction-scoped advisory lock, so it never waits).
 */
@Injectable()
export class IdempotencyService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyService.name);
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    private readonly database: Database,
    private readonly outcomes: IdempotencyRepository,
    private readonly env: EnvironmentVariables,
  ) {}

  /** Accepts a bare key or an RFC 8941 sf-string ("…"); 1–255 visible ASCII characters. */
  parseKey(header: string | undefined): string | undefined {
    if (header === undefined) return undefined;
    const key = /^".*"$/.test(header) ? header.slice(1, -1) : header;
    if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
      throw new BadRequestException(`Idempotency-Key must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters`);
    }
    return key;
  }

  /** `handler` writes in `session`, the transaction that also saves its outcome under `key`. */
  async run(
    key: string,
    request: unknown,
    handler: (session: Session) => Promise<Omit<SavedResponse, 'replayed'>>,
  ): Promise<SavedResponse> {
    const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    return this.database.transaction(async (session) => {
      if (!(await this.outcomes.tryLock(key, session))) {
        throw new ConflictException('a request with this Idempotency-Key is still in progress; retry later');
      }
      const saved = await this.outcomes.find(key, session);
      if (saved && !this.isExpired(saved)) {
        if (saved.requestHash !== requestHash) {
          throw new UnprocessableEntityException('this Idempotency-Key was already used with a different request');
        }
        return { status: saved.responseCode, body: saved.responseBody, location: saved.location, replayed: true };
      }
      if (saved) await this.outcomes.delete(key, session);

      const response = await handler(session);
      await this.outcomes.insert(
        { key, requestHash, responseCode: response.status, responseBody: response.body, location: response.location },
        session,
      );
      return { ...response, replayed: false };
    });
  }

  /** Deletes records older than IDEMPOTENCY_KEY_TTL_HOURS; returns how many went. */
  purgeExpired(): Promise<number> {
    return this.outcomes.purgeOlderThan(this.env.IDEMPOTENCY_KEY_TTL_HOURS);
  }

  onApplicationBootstrap(): void {
    this.purgeTimer = setInterval(() => {
      this.purgeExpired()
        .then((deleted) => deleted > 0 && this.logger.log(`purged ${deleted} expired idempotency keys`))
        .catch((error: Error) => this.logger.warn(`idempotency key purge failed: ${error.message}`));
    }, PURGE_EVERY_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.purgeTimer);
  }

  private isExpired(record: SavedOutcome): boolean {
    return Date.now() - record.createdAt.getTime() > this.env.IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000;
  }
}
