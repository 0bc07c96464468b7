/** Access to the moto server the global setup started: endpoint, reset, request recorder, SDK config. */
import { inject } from 'vitest';

/** The moto endpoint, e.g. http://127.0.0.1:54321. */
export function motoEndpoint(): string {
  return inject('motoEndpoint');
}

/** SDK client config pointing at moto (account 123456789012). */
export function motoClientConfig(region = 'us-east-1') {
  return {
    region,
    endpoint: motoEndpoint(),
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
}

export const MOTO_ACCOUNT = '123456789012';

/** Wipes all moto state (call in beforeAll/beforeEach of each file). */
export async function resetMoto(): Promise<void> {
  await post('/moto-api/reset');
}

/** One recorded API call: the service-qualified operation, e.g. `ecs:UpdateCluster`. */
export interface RecordedCall {
  operation: string;
  target: string;
  /** HTTP method and URL (REST protocols such as S3 name the operation only by these). */
  method?: string;
  url?: string;
  /** The request body as text (e.g. which parameter a GetParameter asked for). */
  body?: string;
}

/** Starts a fresh recording of every request moto receives. */
export async function startRecording(): Promise<void> {
  await post('/moto-api/recorder/reset-recording');
  await post('/moto-api/recorder/start-recording');
}

/** Stops recording and returns the calls seen since startRecording, in order. */
export async function stopRecording(): Promise<RecordedCall[]> {
  await post('/moto-api/recorder/stop-recording');
  const res = await fetch(`${motoEndpoint()}/moto-api/recorder/download-recording`);
  const text = res.ok ? await res.text() : '';
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => toCall(JSON.parse(line) as RecordedEntry));
}

/** Operations in `calls` whose name matches (e.g. /^ecs:(Update|Put)/). */
export function callsMatching(calls: readonly RecordedCall[], pattern: RegExp): RecordedCall[] {
  return calls.filter((c) => pattern.test(c.operation));
}

interface RecordedEntry {
  headers: Record<string, string>;
  method: string;
  url: string;
  body?: string | null;
  body_encoded?: boolean;
}

// JSON protocols name the operation in X-Amz-Target (`AmazonEC2ContainerServiceV20141113.UpdateCluster`);
// query protocols (IAM, STS, SNS, EC2, older CloudWatch) in the form body's Action field.
const TARGET_PREFIX_TO_SERVICE: [RegExp, string][] = [
  [/^AmazonEC2ContainerService/, 'ecs'],
  [/^AmazonSSM/, 'ssm'],
  [/^TrentService/, 'kms'],
  [/^secretsmanager/, 'secretsmanager'],
  [/^GraniteServiceVersion20100801/, 'cloudwatch'],
  [/^AWSEvents/, 'events'],
];

function toCall(entry: RecordedEntry): RecordedCall {
  const headers = Object.fromEntries(Object.entries(entry.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const target = headers['x-amz-target'];
  const body = entry.body
    ? entry.body_encoded
      ? Buffer.from(entry.body, 'base64').toString('utf8')
      : entry.body
    : '';
  if (target) {
    const [prefix = '', op = ''] = target.split('.');
    const service = TARGET_PREFIX_TO_SERVICE.find(([re]) => re.test(prefix))?.[1] ?? prefix;
    return { operation: `${service}:${op}`, target, method: entry.method, url: entry.url, body };
  }
  const action =
    new URLSearchParams(body).get('Action') ?? new URL(entry.url).searchParams.get('Action') ?? '?';
  const auth = headers.authorization ?? '';
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(auth)?.[1] ?? 'unknown';
  return { operation: `${service}:${action}`, target: action, method: entry.method, url: entry.url, body };
}

async function post(path: string): Promise<void> {
  const res = await fetch(`${motoEndpoint()}${path}`, { method: 'POST' });
  if (!res.ok) throw new Error(`moto ${path} failed: HTTP ${res.status}`);
}
