/**
 * Shared pieces of the emulated AWS APIs: the error every operation throws for an AWS error
 * response, request-input readers that treat the body as hostile, and NextToken pagination.
 */

import { isRecord } from '../../domain/json.ts';
import type { LocalWorld } from '../world/localWorld.ts';
import type { Principal } from './credentials.ts';
import type { FaultService } from './faults.ts';

/** An AWS error response: `code` is what the SDK turns into `err.name`. */
export class AwsApiError extends Error {
  override readonly name = 'AwsApiError';
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status = 400, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = status;
  }
}

export interface CallContext {
  readonly world: LocalWorld;
  /** From the SigV4 credential scope. */
  readonly region: string;
  readonly service: FaultService;
  readonly operation: string;
  readonly requestId: string;
  /** Who signed the request; absent when a test calls an operation directly. */
  readonly caller?: Principal;
}

export type JsonObject = Record<string, unknown>;

/** A plain JSON object (the domain's test), typed as a request body the handler may fill in. */
export const isJsonObject = (value: unknown): value is JsonObject => isRecord(value);

/** Readers for one JSON request; a bad value is the given validation error code (400). */
export class JsonInput {
  readonly #body: JsonObject;
  readonly #errorCode: string;
  constructor(body: JsonObject, errorCode = 'ValidationException') {
    this.#body = body;
    this.#errorCode = errorCode;
  }

  fail(message: string): never {
    throw new AwsApiError(this.#errorCode, message);
  }

  raw(key: string): unknown {
    return this.#body[key];
  }

  optionalString(key: string): string | undefined {
    const value = this.#body[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') this.fail(`${key} must be a string`);
    return value;
  }

  string(key: string): string {
    const value = this.optionalString(key);
    if (value === undefined || value === '') this.fail(`${key} is required`);
    return value;
  }

  /** An integer in [min, max]; absent gives `fallback`. */
  int(key: string, min: number, max: number, fallback: number, errorCode?: string): number {
    const value = this.#body[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new AwsApiError(
        errorCode ?? this.#errorCode,
        `${key} must be an integer between ${min} and ${max}`,
      );
    }
    return value;
  }

  optionalArray(key: string): unknown[] | undefined {
    const value = this.#body[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) this.fail(`${key} must be a list`);
    return value;
  }

  optionalObject(key: string): JsonObject | undefined {
    const value = this.#body[key];
    if (value === undefined || value === null) return undefined;
    if (!isJsonObject(value)) this.fail(`${key} must be a structure`);
    return value;
  }

  /** Epoch seconds (awsJson timestamps). */
  optionalTime(key: string): number | undefined {
    const value = this.#body[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(`${key} must be a timestamp`);
    return value * 1000;
  }
}

export function stringList(value: unknown, what: string, errorCode = 'ValidationException'): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new AwsApiError(errorCode, `${what} must be a list of strings`);
  }
  return value as string[];
}

export interface Page<T> {
  readonly items: T[];
  /** Absent on the last page. */
  readonly nextToken?: string;
}

/**
 * Offset pagination. The token binds the offset to the request's `scope` (its filters) so a
 * token reused with other filters is rejected, as AWS does.
 */
export function paginate<T>(
  items: readonly T[],
  token: string | undefined,
  pageSize: number,
  scope: string,
  invalidToken: () => AwsApiError,
): Page<T> {
  let offset = 0;
  if (token !== undefined && token !== '') {
    const decoded = decodeToken(token);
    if (decoded === undefined || decoded.scope !== scope || decoded.offset > items.length)
      throw invalidToken();
    offset = decoded.offset;
  }
  const end = offset + pageSize;
  const page = items.slice(offset, end);
  return end < items.length ? { items: page, nextToken: encodeToken(end, scope) } : { items: page };
}

function encodeToken(offset: number, scope: string): string {
  return Buffer.from(JSON.stringify({ o: offset, s: scope }), 'utf8').toString('base64');
}

function decodeToken(token: string): { offset: number; scope: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (!isJsonObject(parsed)) return undefined;
    const { o, s } = parsed;
    if (typeof o !== 'number' || !Number.isInteger(o) || o < 0 || typeof s !== 'string') return undefined;
    return { offset: o, scope: s };
  } catch {
    return undefined;
  }
}

/** Epoch seconds as the awsJson protocols send timestamps. */
export function epochSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}
