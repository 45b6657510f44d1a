import type { Json } from './xapi-values.js';

/** What a resource answers: a status, and a JSON body, raw bytes (with their content-type header) or nothing. */
export interface XapiResponse {
  readonly status: number;
  readonly json?: Json;
  readonly raw?: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}
