/** A tiny HTTP server around the local STS handler, for the real STS client to call. */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { STSClient } from '@aws-sdk/client-sts';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { CredentialRegistry } from '../../../src/local/services/credentials.ts';
import { renderQueryError, renderQueryResponse } from '../../../src/local/services/iam.ts';
import { authenticateCaller, STS_XMLNS, stsOperation } from '../../../src/local/services/sts.ts';
import type { StsDirectory } from '../../../src/local/services/stsDirectory.ts';
import { AwsApiError } from '../../../src/local/services/wire.ts';

export interface LocalSts {
  readonly url: string;
  /** Raw request bodies, in arrival order. */
  readonly bodies: string[];
  client(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): STSClient;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

export async function startLocalSts(
  directory: StsDirectory,
  credentials: CredentialRegistry,
): Promise<LocalSts> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const requestId = randomUUID();
      const body = await readBody(req);
      bodies.push(body);
      try {
        const token = req.headers['x-amz-security-token'];
        const caller = authenticateCaller(
          credentials,
          {
            authorization: req.headers.authorization,
            'x-amz-security-token': typeof token === 'string' ? token : undefined,
          },
          directory.now(),
        );
        const params = new URLSearchParams(body);
        const action = params.get('Action') ?? '';
        const operation = stsOperation(action);
        if (operation === undefined) {
          throw new AwsApiError('InvalidAction', `Could not find operation ${action} for version 2011-06-15`);
        }
        const result = operation(params, { directory, credentials, caller, requestId });
        const xml = renderQueryResponse(action, result, requestId, STS_XMLNS);
        res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
        res.end(xml);
      } catch (error) {
        const apiError =
          error instanceof AwsApiError ? error : new AwsApiError('InternalFailure', String(error), 500);
        res.writeHead(apiError.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
        res.end(renderQueryError(apiError, requestId, STS_XMLNS));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    bodies,
    client: (creds) =>
      new STSClient({
        region: 'us-east-1',
        endpoint: url,
        credentials: creds,
        retryStrategy: new ConfiguredRetryStrategy(1, () => 1),
      }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
