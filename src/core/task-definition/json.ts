/**
 * Case-insensitive access to JSON objects. Terraform renders container definitions with keys in any
 * casing (`entrypoint`, `Environment`), and ECS accepts them, so reads ignore case while writes reuse
 * the spelling already present in the input (docs/env-tools.md §0, "Terraform quirk").
 */

/** A plain JSON object. */
export type JsonObject = { [key: string]: unknown };

/** True for a non-null, non-array object. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The key spelling used in `obj` for `canonical` (case-insensitive), or undefined when absent. */
export function findKey(obj: JsonObject, canonical: string): string | undefined {
  if (Object.hasOwn(obj, canonical)) return canonical;
  const lower = canonical.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

/** The value under `canonical` in any casing, with the key spelling actually used. */
export function getField(obj: JsonObject, canonical: string): { key: string; value: unknown } | undefined {
  const key = findKey(obj, canonical);
  return key === undefined ? undefined : { key, value: obj[key] };
}

/** Sets `canonical` on `obj`, reusing the input's spelling when the key exists (keeps key order). */
export function setField(obj: JsonObject, canonical: string, value: unknown): void {
  obj[findKey(obj, canonical) ?? canonical] = value;
}

/** Removes `canonical` in any casing from `obj`. */
export function deleteField(obj: JsonObject, canonical: string): void {
  const key = findKey(obj, canonical);
  if (key !== undefined) delete obj[key];
}

/** Appends a key or index to a JSON path (`a.b[1]`). */
export function joinPath(base: string, part: string | number): string {
  if (typeof part === 'number') return `${base}[${part}]`;
  return base === '' ? part : `${base}.${part}`;
}

/** Line and column (1-based) of a character offset in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
