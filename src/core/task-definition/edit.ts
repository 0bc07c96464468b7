/**
 * Write changes back into a parsed task-definition document while keeping its shape, key spelling,
 * key order and every untouched field, so the diff a user reviews shows only what migration changed.
 */
import { deleteField, findKey, getField, isJsonObject, type JsonObject, setField } from './json.js';
import {
  containerDefinitionsArray,
  type ParsedTaskDefinition,
  type SecretEntry,
  taskDefinitionObject,
} from './parse.js';

/** Changes to one container; omitted fields are left as they are. */
export interface ContainerEdit {
  index: number;
  /** New `entryPoint` (written explicitly, even when it was absent). */
  entryPoint?: string[];
  /** New `command`. */
  command?: string[];
  /** `environment` entries to remove, by name (the other entries keep their exact JSON). */
  removeEnvironment?: readonly string[];
  /** `secrets` entries to remove, by name (before `setSecrets` and `addSecrets`). */
  removeSecrets?: readonly string[];
  /** `secrets` entries whose `valueFrom` changes in place, by name. */
  setSecrets?: readonly SecretEntry[];
  /** `secrets` entries to append. */
  addSecrets?: readonly SecretEntry[];
}

/** Task-level changes. */
export interface TaskDefinitionEdit {
  containers: readonly ContainerEdit[];
  /** Set `executionRoleArn` (ignored for a bare containerDefinitions array, which has no task level). */
  executionRoleArn?: string;
}

/** A deep copy of `parsed.document` with `edit` applied; the input document is not mutated. */
export function applyTaskDefinitionEdit(parsed: ParsedTaskDefinition, edit: TaskDefinitionEdit): unknown {
  const document: unknown = structuredClone(parsed.document);
  const containers = containerDefinitionsArray(document, parsed.shape);
  for (const change of edit.containers) {
    const container = containers[change.index];
    if (!isJsonObject(container)) continue;
    applyContainerEdit(container, change);
  }
  const td = taskDefinitionObject(document, parsed.shape);
  if (td !== undefined && edit.executionRoleArn !== undefined)
    setField(td, 'executionRoleArn', edit.executionRoleArn);
  return document;
}

function applyContainerEdit(container: JsonObject, change: ContainerEdit): void {
  if (change.entryPoint !== undefined) setField(container, 'entryPoint', change.entryPoint);
  if (change.command !== undefined) setField(container, 'command', change.command);
  if (change.removeEnvironment !== undefined && change.removeEnvironment.length > 0) {
    const env = getField(container, 'environment');
    if (env !== undefined && Array.isArray(env.value)) {
      const drop = new Set(change.removeEnvironment);
      const kept = env.value.filter((e) => {
        if (!isJsonObject(e)) return true;
        const name = getField(e, 'name')?.value;
        return typeof name !== 'string' || !drop.has(name);
      });
      if (kept.length === 0) deleteField(container, 'environment');
      else container[env.key] = kept;
    }
  }
  if ((change.removeSecrets?.length ?? 0) > 0 || (change.setSecrets?.length ?? 0) > 0) {
    const key = findKey(container, 'secrets');
    const existing = key === undefined ? undefined : container[key];
    if (key !== undefined && Array.isArray(existing)) {
      const drop = new Set(change.removeSecrets ?? []);
      const set = new Map((change.setSecrets ?? []).map((s) => [s.name, s.valueFrom]));
      const kept = existing.flatMap((e) => {
        if (!isJsonObject(e)) return [e];
        const name = getField(e, 'name')?.value;
        if (typeof name !== 'string') return [e];
        if (drop.has(name)) return [];
        const valueFrom = set.get(name);
        if (valueFrom === undefined) return [e];
        const copy = { ...e };
        setField(copy, 'valueFrom', valueFrom);
        return [copy];
      });
      if (kept.length === 0 && (change.addSecrets?.length ?? 0) === 0) deleteField(container, 'secrets');
      else container[key] = kept;
    }
  }
  if (change.addSecrets !== undefined && change.addSecrets.length > 0) {
    const key = findKey(container, 'secrets');
    const existing = key === undefined ? undefined : container[key];
    const list = Array.isArray(existing) ? existing : [];
    setField(container, 'secrets', [
      ...list,
      ...change.addSecrets.map((s) => ({ name: s.name, valueFrom: s.valueFrom })),
    ]);
  }
}

/**
 * Serialises a document like its source text: same indentation and trailing newline, and when the
 * source kept short arrays/objects on one line (hand-written, Prettier), so does the output, so the
 * diff shows only what changed.
 */
export function renderTaskDefinitionJson(document: unknown, sourceText: string): string {
  const indent = /^[[{]\r?\n([ \t]+)/.exec(sourceText)?.[1] ?? '  ';
  const trailing = sourceText.endsWith('\n') ? '\n' : '';
  const inline = /[[{][ \t]*["\d[{]/.test(sourceText);
  if (!inline) return JSON.stringify(document, null, indent) + trailing;
  const style: InlineStyle = {
    indent,
    padObjects: /\{ "/.test(sourceText),
    padArrays: /\[ ["\d{[]/.test(sourceText),
    width: Math.max(80, ...sourceText.split('\n').map((l) => l.length)),
  };
  return formatValue(document, '', style) + trailing;
}

interface InlineStyle {
  indent: string;
  padObjects: boolean;
  padArrays: boolean;
  width: number;
}

function oneLine(value: unknown, style: InlineStyle): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = value.map((v) => oneLine(v, style)).join(', ');
    return style.padArrays ? `[ ${inner} ]` : `[${inner}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const inner = entries.map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v, style)}`).join(', ');
    return style.padObjects ? `{ ${inner} }` : `{${inner}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function formatValue(value: unknown, current: string, style: InlineStyle, prefixLength = 0): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  const flat = oneLine(value, style);
  // Inline only leaves and lists of leaves/flat objects: what people write by hand.
  const depth = (v: unknown): number =>
    typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0;
  if (current.length + prefixLength + flat.length <= style.width && depth(value) <= 2 && current !== '')
    return flat;
  const next = current + style.indent;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => next + formatValue(v, next, style)).join(',\n')}\n${current}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const body = entries
    .map(([k, v]) => {
      const key = `${JSON.stringify(k)}: `;
      return next + key + formatValue(v, next, style, key.length);
    })
    .join(',\n');
  return `{\n${body}\n${current}}`;
}

/** UTF-8 byte length of the JSON ECS measures against its 64 KiB task-definition limit (docs/aws-facts.md §4.5). */
export function taskDefinitionSizeBytes(registerInput: unknown): number {
  return new TextEncoder().encode(JSON.stringify(registerInput)).length;
}

/** The 64 KiB task-definition size quota (not adjustable). */
export const TASK_DEFINITION_SIZE_LIMIT = 65_536;
