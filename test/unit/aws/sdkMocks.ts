/** Shared builders for adapter tests over aws-sdk-client-mock. */

interface ServiceErrorOptions {
  readonly name: string;
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number };
  readonly message: string;
}

/**
 * An error as a service answers it, built on the service's base exception (`IAMServiceException`,
 * `SSMServiceException`, …): `name` is the error code, a status of 500 or more is a server fault.
 */
export const serviceError =
  <E>(Exception: new (options: ServiceErrorOptions) => E) =>
  (name: string, status: number): E =>
    new Exception({
      name,
      $fault: status >= 500 ? 'server' : 'client',
      $metadata: { httpStatusCode: status },
      message: `${name} happened`,
    });

/** What `mock.on(Command)` returns, as far as servePages needs it. */
interface Behavior<I> {
  callsFake(fake: (input: I) => unknown): unknown;
}

/**
 * Answers a command with `pages` in order (the last one again for any call after) and returns the
 * inputs as they were when sent. The SDK's paginators send every page with one input object and
 * change only its token, so `commandCalls()` shows every call with the last page's token.
 */
export const servePages = <I extends object>(behavior: Behavior<I>, pages: readonly unknown[]): I[] => {
  const sent: I[] = [];
  behavior.callsFake((input) => {
    sent.push({ ...input });
    const page = pages[Math.min(sent.length, pages.length) - 1];
    if (page instanceof Error) throw page;
    return page;
  });
  return sent;
};
