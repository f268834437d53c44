/**
 * The local endpoint's HTTP plumbing: reading a request body within a cap, parsing a JSON body as
 * the JSON protocols do, and writing responses and errors in each wire protocol's shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderQueryError } from './iam.ts';
import type { Protocol } from './routing.ts';
import { AwsApiError, isJsonObject, type JsonObject } from './wire.ts';

const MAX_BODY_BYTES = 10 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new AwsApiError('RequestEntityTooLarge', 'Request body exceeds 10 MB.', 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function parseJsonBody(body: string): JsonObject {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new AwsApiError('SerializationException', 'The request body is not valid JSON.', 400, {
      cause: error,
    });
  }
  if (!isJsonObject(parsed))
    throw new AwsApiError('SerializationException', 'The request body must be a JSON object.');
  return parsed;
}

export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string>,
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function sendError(
  res: ServerResponse,
  protocol: Protocol,
  error: AwsApiError,
  requestId: string,
  xmlns?: string,
): void {
  if (protocol === 'query') {
    send(res, error.status, 'text/xml', renderQueryError(error, requestId, xmlns), {
      'x-amzn-requestid': requestId,
    });
    return;
  }
  const body =
    protocol === 'json'
      ? { __type: error.code, message: error.message }
      : { Code: error.code, Message: error.message };
  const contentType = protocol === 'json' ? 'application/x-amz-json-1.1' : 'application/json';
  send(res, error.status, contentType, JSON.stringify(body), {
    'x-amzn-errortype': error.code,
    'x-amzn-requestid': requestId,
  });
}

/** `version`: the query API's (IAM 2010-05-08, STS 2011-06-15). */
export function unknownOperation(protocol: Protocol, operation: string, version = '2010-05-08'): AwsApiError {
  return protocol === 'query'
    ? new AwsApiError('InvalidAction', `Could not find operation ${operation} for version ${version}`)
    : new AwsApiError(
        'UnknownOperationException',
        `The local endpoint does not implement ${operation}.`,
        protocol === 'json' ? 400 : 404,
      );
}
