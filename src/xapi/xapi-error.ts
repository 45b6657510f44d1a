/**
 * An error of the LRS, answered with the status the xAPI specification names (400, 401, 403,
 * 404, 409, 412, 413, 415...) and a plain JSON body; /xapi does not use /api's problem+json.
 */
export class XapiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Headers the error answer carries besides the usual ones. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'XapiError';
  }
}

/** A 400 Bad Request: the statement or the request breaks a rule of the specification. */
export function badRequest(message: string): XapiError {
  return new XapiError(400, message);
}
