/**
 * Errors as GeoReport v2 shapes them: a list of `{code, description}` (`<errors><error>` in XML).
 * HTTP 404 for what does not exist, 403 for a missing or wrong api_key, 400 for anything else the
 * server cannot do as asked (429 when a rate limit is hit). The code in the body is the HTTP code;
 * the description names the offending parameter.
 */
export interface Open311Issue {
  code: number;
  description: string;
}

export type Open311Status = 400 | 403 | 404 | 429 | 500;

export class Open311Error extends Error {
  readonly status: Open311Status;
  readonly issues: Open311Issue[];

  constructor(status: Open311Status, descriptions: string[]) {
    super(descriptions.join('; '));
    this.name = 'Open311Error';
    this.status = status;
    this.issues = descriptions.map((description) => ({ code: status, description }));
  }
}

export const badRequest = (...descriptions: string[]) => new Open311Error(400, descriptions);
export const notFound = (description: string) => new Open311Error(404, [description]);
export const forbidden = (description: string) => new Open311Error(403, [description]);
