import { EcsopsError } from '../errors.js';

/** A one-line description of an error for per-target reports: message plus hint when there is one. */
export function describeError(error: unknown): string {
  if (error instanceof EcsopsError) return error.hint ? `${error.message} (${error.hint})` : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
