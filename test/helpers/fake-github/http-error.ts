/** Thrown by the fake's handlers; the server answers it like GitHub: `{ message, documentation_url }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function notFound(): HttpError {
  return new HttpError(404, 'Not Found');
}

export function unprocessable(message: string): HttpError {
  return new HttpError(422, message);
}

/** A request GitHub would serve that the fake does not model: recorded as a violation, never ignored. */
export class Unsupported extends HttpError {
  constructor(what: string) {
    super(501, `fake-github does not implement ${what}`);
    this.name = 'Unsupported';
  }
}
