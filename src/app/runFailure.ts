/** A failed record or run as the results report it: the error's name and message, as Lambda reports a function error. */
export interface RunFailure {
  readonly errorType: string;
  readonly errorMessage: string;
}

/** Anything thrown, as a RunFailure (a thrown non-Error is named `Error`). */
export const runFailureOf = (error: unknown): RunFailure =>
  error instanceof Error
    ? { errorType: error.name, errorMessage: error.message }
    : { errorType: 'Error', errorMessage: String(error) };
