/** An in-memory `ParameterCatalogue` over fetched metadata (DescribeParameters pages, `--params-file`). */
import { isDirectChild, isUnder } from './tools/common.js';
import type { ParameterCatalogue, ParameterMetadata, SecretMetadata } from './tools/types.js';

/** Builds a catalogue from parameter and secret metadata; path lookups honour SSM's one-level/recursive rule. */
export function createParameterCatalogue(
  parameters: readonly ParameterMetadata[],
  secrets: readonly SecretMetadata[] = [],
): ParameterCatalogue {
  const byName = new Map(parameters.map((p) => [p.name, p]));
  return {
    byPath(path, recursive) {
      return parameters.filter((p) => (recursive ? isUnder(p.name, path) : isDirectChild(p.name, path)));
    },
    byName(name) {
      return byName.get(name);
    },
    secret(secretId) {
      return secrets.find((s) => s.name === secretId || s.arn === secretId);
    },
  };
}

/**
 * Reads `aws ssm describe-parameters` JSON (`{"Parameters":[{"Name","Type","KeyId","ARN"}]}`, or a bare
 * array of those) into metadata; returns an error message instead of throwing so callers can add the file name.
 */
export function readDescribeParametersJson(document: unknown): ParameterMetadata[] | string {
  const list = Array.isArray(document)
    ? document
    : typeof document === 'object' &&
        document !== null &&
        Array.isArray((document as { Parameters?: unknown }).Parameters)
      ? (document as { Parameters: unknown[] }).Parameters
      : undefined;
  if (list === undefined)
    return 'expected the output of `aws ssm describe-parameters` ({"Parameters": [...]})';
  const out: ParameterMetadata[] = [];
  for (const [i, raw] of list.entries()) {
    if (typeof raw !== 'object' || raw === null) return `Parameters[${i}] must be an object`;
    const p = raw as Record<string, unknown>;
    if (typeof p.Name !== 'string') return `Parameters[${i}].Name must be a string`;
    if (typeof p.Type !== 'string') return `Parameters[${i}].Type must be a string`;
    out.push({
      name: p.Name,
      type: p.Type,
      keyId: typeof p.KeyId === 'string' ? p.KeyId : undefined,
      arn: typeof p.ARN === 'string' ? p.ARN : undefined,
    });
  }
  return out;
}
