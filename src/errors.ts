/**
 * Errors the tool reports to a user as one line (exit code 1), as opposed to bugs,
 * which keep their stack trace. Every error that bad input can cause is one of these.
 */
export class FlameprofError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlameprofError';
  }
}

/**
 * The marshal stream is malformed. `offset` is the byte at which the decoder found the
 * problem; the message says what it expected there.
 */
export class MarshalError extends FlameprofError {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
    this.name = 'MarshalError';
  }
}

/** The input decoded, but is not the shape of data we were asked to read. */
export class InputError extends FlameprofError {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** The command line is wrong: exit code 2. */
export class UsageError extends FlameprofError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Prefix an error with the file it came from, keeping its class. */
export function inFile(file: string, err: unknown): unknown {
  if (err instanceof FlameprofError && !err.message.startsWith(`${file}: `)) {
    err.message = `${file}: ${err.message}`;
  }
  return err;
}
