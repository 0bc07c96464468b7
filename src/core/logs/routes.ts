/**
 * The `--routes FILE` format of `ecsops logs migrate` (JSON or YAML): rules that send the log lines of
 * one container that match a regular expression to their own destination. Parsed and validated here,
 * before anything is written; every problem names its field path (see docs/firelens.md "Routing").
 */
import { parse as parseYaml } from 'yaml';

/** Where a rule sends its lines. */
export type RouteDestination =
  | { kind: 'logGroup'; logGroup: string; streamPrefix?: string | undefined; region?: string | undefined }
  | { kind: 'firehose'; deliveryStream: string; region?: string | undefined }
  | { kind: 's3'; bucket: string; prefix: string; region?: string | undefined };

/** One validated rule; `index` is its position in the file. */
export interface RouteRule {
  index: number;
  container: string;
  /** The regular expression (Onigmo, as Fluent Bit reads it; validated with JavaScript's RegExp). */
  match: string;
  /** Match a top-level key of a JSON log line instead of the whole line. */
  key?: string | undefined;
  destination: RouteDestination;
}

/** A problem in the routes file, at a field path such as `rules[1].match`. */
export interface RouteProblem {
  path: string;
  message: string;
}

/** The routes file, or its problems (all of them, not only the first). */
export type ParsedRoutes = { ok: true; rules: RouteRule[] } | { ok: false; problems: RouteProblem[] };

// rewrite_tag reads `Rule $KEY REGEX NEW_TAG KEEP` split on spaces: a regex cannot hold a blank.
const BLANK = /\s/;
const KEY_NAME = /^[A-Za-z0-9_.@-]+$/;
const LOG_GROUP = /^[\w#/.-]{1,512}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DELIVERY_STREAM = /^[a-zA-Z0-9_.-]{1,64}$/;

/** Parses and validates a routes document (`text` is JSON or YAML; YAML is a superset of JSON). */
export function parseRoutes(text: string): ParsedRoutes {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    return { ok: false, problems: [{ path: '', message: `not JSON or YAML: ${(error as Error).message}` }] };
  }
  const list = isObject(doc) ? doc.rules : doc;
  if (!Array.isArray(list) || list.length === 0) {
    return {
      ok: false,
      problems: [{ path: 'rules', message: 'expected a non-empty list of rules (`rules: [...]`)' }],
    };
  }
  const problems: RouteProblem[] = [];
  const rules: RouteRule[] = [];
  list.forEach((raw, index) => {
    const at = `rules[${index}]`;
    const before = problems.length;
    if (!isObject(raw)) {
      problems.push({ path: at, message: 'expected an object' });
      return;
    }
    const container = str(raw.container);
    if (!container) problems.push({ path: `${at}.container`, message: 'required: the container name' });
    const match = str(raw.match);
    if (match === undefined)
      problems.push({ path: `${at}.match`, message: 'required: a regular expression' });
    else problems.push(...regexProblems(match, `${at}.match`));
    const key = raw.key === undefined ? undefined : str(raw.key);
    if (raw.key !== undefined && (key === undefined || !KEY_NAME.test(key))) {
      problems.push({ path: `${at}.key`, message: 'a top-level JSON key name (letters, digits, _ . @ -)' });
    }
    const destination = readDestination(raw, at, problems);
    for (const field of Object.keys(raw)) {
      if (!KNOWN_FIELDS.has(field)) problems.push({ path: `${at}.${field}`, message: 'unknown field' });
    }
    if (problems.length === before && container && match !== undefined && destination) {
      rules.push({ index, container, match, key, destination });
    }
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rules };
}

const KNOWN_FIELDS = new Set([
  'container',
  'match',
  'key',
  'logGroup',
  'streamPrefix',
  'firehose',
  's3',
  'region',
]);

/** Problems of one regular expression as a Fluent Bit rule holds it. */
export function regexProblems(pattern: string, path: string): RouteProblem[] {
  if (pattern === '') return [{ path, message: 'empty regular expression' }];
  if (BLANK.test(pattern)) {
    return [
      {
        path,
        message:
          'contains a blank, which Fluent Bit rewrite_tag cannot hold (its Rule is split on spaces); use \\s or \\x20',
      },
    ];
  }
  try {
    new RegExp(pattern);
  } catch (error) {
    return [{ path, message: `invalid regular expression: ${(error as Error).message}` }];
  }
  return [];
}

function readDestination(
  raw: Record<string, unknown>,
  at: string,
  problems: RouteProblem[],
): RouteDestination | undefined {
  const given = ['logGroup', 'firehose', 's3'].filter((k) => raw[k] !== undefined);
  if (given.length !== 1) {
    problems.push({ path: at, message: 'exactly one destination: logGroup, firehose or s3' });
    return undefined;
  }
  const region = raw.region === undefined ? undefined : str(raw.region);
  if (raw.region !== undefined && !region) problems.push({ path: `${at}.region`, message: 'a region name' });
  if (raw.logGroup !== undefined) {
    const logGroup = str(raw.logGroup);
    if (!logGroup || !LOG_GROUP.test(logGroup)) {
      problems.push({
        path: `${at}.logGroup`,
        message: 'a log group name (1-512 of letters, digits, _ - / . #)',
      });
      return undefined;
    }
    const streamPrefix = raw.streamPrefix === undefined ? undefined : str(raw.streamPrefix);
    if (raw.streamPrefix !== undefined && (!streamPrefix || /[:*]/.test(streamPrefix))) {
      problems.push({ path: `${at}.streamPrefix`, message: 'a stream prefix without : or *' });
    }
    return { kind: 'logGroup', logGroup, streamPrefix, region };
  }
  if (raw.streamPrefix !== undefined) {
    problems.push({ path: `${at}.streamPrefix`, message: 'only with logGroup' });
  }
  if (raw.firehose !== undefined) {
    const deliveryStream = str(raw.firehose);
    if (!deliveryStream || !DELIVERY_STREAM.test(deliveryStream)) {
      problems.push({ path: `${at}.firehose`, message: 'a Firehose delivery stream name' });
      return undefined;
    }
    return { kind: 'firehose', deliveryStream, region };
  }
  const s3 = raw.s3;
  const url = typeof s3 === 'string' ? parseS3Url(s3) : undefined;
  const bucket = url?.bucket ?? (isObject(s3) ? str(s3.bucket) : undefined);
  const prefix = url?.prefix ?? (isObject(s3) ? (str(s3.prefix) ?? '') : '');
  if (!bucket || !BUCKET.test(bucket)) {
    problems.push({ path: `${at}.s3`, message: 'an S3 bucket: `s3://bucket/prefix/` or {bucket, prefix}' });
    return undefined;
  }
  return { kind: 's3', bucket, prefix: prefix.replace(/^\/+/, ''), region };
}

/** `s3://bucket/prefix` -> its parts (undefined when not an s3:// URL). */
export function parseS3Url(url: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m?.[1]) return undefined;
  return { bucket: m[1], prefix: m[2] ?? '' };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
