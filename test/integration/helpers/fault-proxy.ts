/**
 * A fault-injecting HTTP proxy on 127.0.0.1 that sits between a client (the SDK, or the built CLI)
 * and the moto server. It passes every request on to moto unchanged and streams the answer back,
 * except where a rule says to throttle, deny, fail, delay, reset the connection or send a garbled
 * body. It records every request it sees with the AWS operation it names (e.g. `ecs:UpdateCluster`).
 *
 * Use from an SDK client: `new ECSClient({ ...motoClientConfig(), endpoint: proxy.endpoint })`.
 *
 * Use with the built CLI: spawn it with `runCli` from ./cli.ts (the helper every integration test
 * uses; it sets test credentials, us-east-1 and AWS_ENDPOINT_URL=moto) and put the global flag
 * `--endpoint-url <proxy.endpoint>` before the command. The flag wins over AWS_ENDPOINT_URL, so
 * every AWS call the CLI makes goes through the proxy. The CLI retries up to `--max-attempts`
 * (default 8, adaptive backoff): pass a small value to keep throttling tests quick.
 *
 * ```ts
 * import { runCli, parseJsonDocument } from './helpers/cli.js';
 * import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy.js';
 * import { motoEndpoint } from './helpers/moto.js';
 *
 * let proxy: FaultProxy;
 * beforeAll(async () => { proxy = await startFaultProxy({ target: motoEndpoint() }); });
 * afterAll(() => proxy.close());
 * beforeEach(() => proxy.clearRules());
 *
 * it('reports a denied UpdateCluster', async () => {
 *   proxy.setRules([{ match: { operation: 'ecs:UpdateCluster' }, fault: { kind: 'access-denied' } }]);
 *   const res = await runCli(['--endpoint-url', proxy.endpoint, '--max-attempts', '2',
 *     'insights', 'enable', '--cluster', 'a', '--yes', '--json']);
 *   expect(res.code).not.toBe(0);
 *   expect(proxy.requests().filter((r) => r.fault === 'access-denied')).toHaveLength(1);
 * });
 * ```
 * (Alternatively pass `{ env: { AWS_ENDPOINT_URL: proxy.endpoint } }` to runCli, which exercises the
 * SDK's own endpoint variable instead of the flag.)
 *
 * Rules are tried in order; the first that applies to a request decides its fault. A rule applies
 * when its `match` holds, the request is past the first `afterCount` matching requests, and it has
 * fired fewer than `times` times. `setRules` replaces the rules and restarts their counters.
 *
 * Error shapes follow the request's protocol, so the SDK parses them as the service would send them:
 * - AWS JSON 1.1 (ECS, SSM, KMS, Secrets Manager) and 1.0 (CloudWatch): HTTP 400,
 *   `{"__type":"ThrottlingException","message":"Rate exceeded"}`, `x-amzn-ErrorType` header.
 * - AWS query (IAM, STS, SNS): `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>…`,
 *   text/xml; access-denied is `AccessDenied` with HTTP 403.
 * - EC2 query: `<Response><Errors><Error><Code>…`; EC2 names its faults differently, so throttle is
 *   `RequestLimitExceeded` (HTTP 503) and access-denied is `UnauthorizedOperation` (HTTP 403).
 * - Smithy RPC v2 CBOR (not used by the current clients): a CBOR map with `__type` and `message`.
 *
 * Safety: the proxy listens on 127.0.0.1 only, connects only to the given http://127.0.0.1 target
 * (absolute-form request URLs, CONNECT and upgrades are never followed), and only answers requests.
 */
import { randomUUID } from 'node:crypto';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { cbor } from '@smithy/core/cbor';

/** What a rule does to a request it applies to. */
export type Fault =
  /** An AWS throttling error (ThrottlingException / Throttling / RequestLimitExceeded). */
  | { kind: 'throttle'; message?: string }
  /** An AWS access-denied error (AccessDeniedException / AccessDenied / UnauthorizedOperation). */
  | { kind: 'access-denied'; message?: string }
  /** Any AWS error, in the request's protocol's error shape. */
  | { kind: 'error'; status: number; code: string; message?: string }
  /** Waits `ms`, then forwards the request normally. */
  | { kind: 'latency'; ms: number }
  /** Resets the client's connection (TCP RST) without answering: ECONNRESET for the client. */
  | { kind: 'reset' }
  /** Answers this raw body (default HTTP 200, the protocol's content type). */
  | { kind: 'body'; status?: number; body: string; contentType?: string };

export type FaultKind = Fault['kind'];

export interface FaultRule {
  match: {
    /** `ecs:UpdateCluster` (exact) or a pattern such as /^ecs:(Update|Put)/. */
    operation?: string | RegExp;
    /** The raw request body contains this text (e.g. a cluster name). */
    bodyIncludes?: string;
  };
  fault: Fault;
  /** Fire at most this many times (default: unlimited). */
  times?: number;
  /** Let the first N matching requests through untouched. */
  afterCount?: number;
}

/** How the request was encoded, which decides the error shape the proxy answers with. */
export type WireProtocol = 'json1.0' | 'json1.1' | 'query' | 'ec2' | 'cbor';

export interface RequestIdentity {
  /** Service-qualified operation, e.g. `ecs:UpdateCluster`, `iam:GetRole`, `cloudwatch:PutMetricAlarm`. */
  operation: string;
  /** `ecs`, `iam`, …; `unknown` when neither the target nor the SigV4 scope names it. */
  service: string;
  protocol: WireProtocol;
}

/** One request the proxy received. */
export interface SeenRequest extends RequestIdentity {
  method: string;
  path: string;
  body: string;
  /** The fault applied, if any (latency included). */
  fault: FaultKind | undefined;
  /** Whether any fault was applied to this request. */
  injected: boolean;
  /** Date.now() when the request body had arrived. */
  at: number;
}

export interface FaultProxy {
  /** http://127.0.0.1:PORT: use as the SDK `endpoint` or the CLI's `--endpoint-url`. */
  readonly endpoint: string;
  /** Replaces all rules (and restarts their counters). */
  setRules(rules: readonly FaultRule[]): void;
  clearRules(): void;
  /** Every request seen so far, in arrival order (a copy). */
  requests(): SeenRequest[];
  /** Forgets the recorded requests (rules stay). */
  clearRequests(): void;
  /** Stops listening, drops open connections and pending delays. */
  close(): Promise<void>;
}

type HeaderBag = IncomingHttpHeaders | Readonly<Record<string, string | string[] | number | undefined>>;

// JSON protocols name the operation in X-Amz-Target (`AmazonEC2ContainerServiceV20141113.UpdateCluster`);
// query protocols (IAM, STS, SNS, EC2) in the form body's Action field. Same table as helpers/moto.ts.
const TARGET_PREFIX_TO_SERVICE: [RegExp, string][] = [
  [/^AmazonEC2ContainerService/, 'ecs'],
  [/^AmazonSSM/, 'ssm'],
  [/^TrentService/, 'kms'],
  [/^secretsmanager/, 'secretsmanager'],
  [/^GraniteServiceVersion20100801/, 'cloudwatch'],
  [/^AWSEvents/, 'events'],
];

function header(headers: HeaderBag, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name || v === undefined) continue;
    return Array.isArray(v) ? v.join(', ') : String(v);
  }
  return undefined;
}

function serviceOfTargetPrefix(prefix: string): string {
  return TARGET_PREFIX_TO_SERVICE.find(([re]) => re.test(prefix))?.[1] ?? prefix;
}

/**
 * Names the AWS operation, service and wire protocol of a request from its headers, body and
 * (optionally) path, the way helpers/moto.ts names moto's recorded calls.
 */
export function identifyRequest(headers: HeaderBag, body: string | Buffer, path = '/'): RequestIdentity {
  const target = header(headers, 'x-amz-target');
  const contentType = header(headers, 'content-type') ?? '';
  if (target) {
    const dot = target.indexOf('.');
    const prefix = dot < 0 ? target : target.slice(0, dot);
    const op = dot < 0 ? '' : target.slice(dot + 1);
    const service = serviceOfTargetPrefix(prefix);
    const protocol: WireProtocol = /x-amz-json-1\.0/i.test(contentType)
      ? 'json1.0'
      : /x-amz-json-1\.1/i.test(contentType)
        ? 'json1.1'
        : service === 'cloudwatch'
          ? 'json1.0'
          : 'json1.1';
    return { operation: `${service}:${op}`, service, protocol };
  }
  // Smithy RPC v2 CBOR: POST /service/{ServiceShape}/operation/{Operation}.
  const rpc = /\/service\/([^/]+)\/operation\/([^/?]+)/.exec(path);
  if (rpc && (header(headers, 'smithy-protocol') ?? '').toLowerCase() === 'rpc-v2-cbor') {
    const service = serviceOfTargetPrefix(decodeURIComponent(rpc[1]!));
    return { operation: `${service}:${decodeURIComponent(rpc[2]!)}`, service, protocol: 'cbor' };
  }
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const query = path.includes('?') ? path.slice(path.indexOf('?') + 1) : '';
  const action = new URLSearchParams(text).get('Action') ?? new URLSearchParams(query).get('Action') ?? '?';
  const auth = header(headers, 'authorization') ?? '';
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(auth)?.[1] ?? 'unknown';
  return { operation: `${service}:${action}`, service, protocol: service === 'ec2' ? 'ec2' : 'query' };
}

/** The service-qualified operation of a request, e.g. `ecs:UpdateCluster` or `iam:GetRole`. */
export function operationOf(headers: HeaderBag, body: string | Buffer, path?: string): string {
  return identifyRequest(headers, body, path).operation;
}

interface AwsErrorSpec {
  status: number;
  code: string;
  message: string;
}

function throttleError(protocol: WireProtocol, message?: string): AwsErrorSpec {
  const msg = message ?? 'Rate exceeded';
  if (protocol === 'ec2') return { status: 503, code: 'RequestLimitExceeded', message: msg };
  if (protocol === 'query') return { status: 400, code: 'Throttling', message: msg };
  return { status: 400, code: 'ThrottlingException', message: msg };
}

function accessDeniedError(protocol: WireProtocol, operation: string, message?: string): AwsErrorSpec {
  const msg =
    message ??
    `User: arn:aws:iam::123456789012:user/test is not authorized to perform: ${operation} (injected by fault-proxy)`;
  if (protocol === 'ec2') return { status: 403, code: 'UnauthorizedOperation', message: msg };
  if (protocol === 'query') return { status: 403, code: 'AccessDenied', message: msg };
  return { status: 400, code: 'AccessDeniedException', message: msg };
}

function xmlEscape(s: string): string {
  return s.replace(
    /[<>&'"]/g,
    (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]};`,
  );
}

/** Content type of a successful answer in this protocol (for `body` faults). */
function contentTypeOf(protocol: WireProtocol): string {
  switch (protocol) {
    case 'json1.0':
      return 'application/x-amz-json-1.0';
    case 'json1.1':
      return 'application/x-amz-json-1.1';
    case 'cbor':
      return 'application/cbor';
    default:
      return 'text/xml';
  }
}

/** Status, headers and body of an AWS error in the protocol's error shape. */
export function awsErrorResponse(
  protocol: WireProtocol,
  spec: AwsErrorSpec,
  requestId: string = randomUUID(),
): { status: number; headers: OutgoingHttpHeaders; body: Buffer } {
  const { status, code, message } = spec;
  switch (protocol) {
    case 'json1.0':
    case 'json1.1':
      return {
        status,
        headers: {
          'content-type': contentTypeOf(protocol),
          'x-amzn-errortype': code,
          'x-amzn-requestid': requestId,
        },
        body: Buffer.from(JSON.stringify({ __type: code, message })),
      };
    case 'cbor':
      return {
        status,
        headers: {
          'content-type': 'application/cbor',
          'smithy-protocol': 'rpc-v2-cbor',
          'x-amzn-requestid': requestId,
        },
        body: Buffer.from(cbor.serialize({ __type: code, message })),
      };
    case 'ec2':
      return {
        status,
        headers: { 'content-type': 'text/xml;charset=UTF-8' },
        body: Buffer.from(
          `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${xmlEscape(code)}</Code>` +
            `<Message>${xmlEscape(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
        ),
      };
    case 'query':
      return {
        status,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
        body: Buffer.from(
          `<ErrorResponse><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${xmlEscape(code)}</Code>` +
            `<Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        ),
      };
  }
}

// Connection-level headers that must not be copied from one hop to the next.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

interface RuleState {
  rule: FaultRule;
  matched: number;
  fired: number;
}

function ruleMatches(rule: FaultRule, id: RequestIdentity, body: string): boolean {
  const { operation, bodyIncludes } = rule.match;
  if (operation !== undefined) {
    if (typeof operation === 'string') {
      if (operation !== id.operation) return false;
    } else {
      operation.lastIndex = 0;
      if (!operation.test(id.operation)) return false;
    }
  }
  if (bodyIncludes !== undefined && !body.includes(bodyIncludes)) return false;
  return true;
}

/** Starts the proxy on a free 127.0.0.1 port, forwarding to `target` (must be http://127.0.0.1:PORT). */
export async function startFaultProxy(options: { target: string }): Promise<FaultProxy> {
  const target = new URL(options.target);
  if (target.protocol !== 'http:' || target.hostname !== '127.0.0.1' || !target.port) {
    throw new Error(`fault-proxy only forwards to http://127.0.0.1:PORT, not ${options.target}`);
  }
  const targetPort = Number(target.port);
  const basePath = target.pathname.replace(/\/$/, '');
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });

  let rules: RuleState[] = [];
  const seen: SeenRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  function choose(id: RequestIdentity, body: string): Fault | undefined {
    for (const state of rules) {
      if (!ruleMatches(state.rule, id, body)) continue;
      state.matched += 1;
      if (state.matched <= (state.rule.afterCount ?? 0)) continue;
      if (state.rule.times !== undefined && state.fired >= state.rule.times) continue;
      state.fired += 1;
      return state.rule.fault;
    }
    return undefined;
  }

  function send(res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: Buffer): void {
    res.writeHead(status, { ...headers, 'content-length': body.length });
    res.end(body);
  }

  function forward(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): void {
    const headers = withoutHopByHop(req.headers);
    headers['content-length'] = body.length;
    const upstream = httpRequest(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: `${basePath}${path}`, headers, agent },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, withoutHopByHop(upRes.headers));
        upRes.pipe(res);
        upRes.on('error', () => res.destroy());
      },
    );
    upstream.on('error', (err) => {
      if (res.headersSent) res.destroy();
      else
        send(res, 502, { 'content-type': 'text/plain' }, Buffer.from(`fault-proxy: upstream error: ${err}`));
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.end(body);
  }

  const server = createServer((req, res) => {
    // Only ever the path: an absolute-form URL (`GET http://elsewhere/ HTTP/1.1`) is not followed.
    const raw = req.url ?? '/';
    const path = raw.startsWith('/')
      ? raw
      : (() => {
          try {
            const u = new URL(raw);
            return `${u.pathname}${u.search}`;
          } catch {
            return '/';
          }
        })();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const id = identifyRequest(req.headers, body, path);
      const fault = choose(id, text);
      seen.push({
        ...id,
        method: req.method ?? 'GET',
        path,
        body: text,
        fault: fault?.kind,
        injected: fault !== undefined,
        at: Date.now(),
      });
      if (!fault) return forward(req, res, path, body);
      switch (fault.kind) {
        case 'latency': {
          const timer = setTimeout(() => {
            timers.delete(timer);
            if (!res.destroyed) forward(req, res, path, body);
          }, fault.ms);
          timers.add(timer);
          return;
        }
        case 'reset':
          req.socket.resetAndDestroy();
          return;
        case 'body':
          return send(
            res,
            fault.status ?? 200,
            {
              'content-type': fault.contentType ?? contentTypeOf(id.protocol),
              'x-amzn-requestid': randomUUID(),
            },
            Buffer.from(fault.body),
          );
        case 'throttle':
        case 'access-denied':
        case 'error': {
          const spec =
            fault.kind === 'throttle'
              ? throttleError(id.protocol, fault.message)
              : fault.kind === 'access-denied'
                ? accessDeniedError(id.protocol, id.operation, fault.message)
                : {
                    status: fault.status,
                    code: fault.code,
                    message: fault.message ?? `${fault.code} (injected)`,
                  };
          const { status, headers, body: errorBody } = awsErrorResponse(id.protocol, spec);
          return send(res, status, headers, errorBody);
        }
      }
    });
  });
  // No tunnelling or protocol switches: drop such connections.
  server.on('connect', (_req, socket) => socket.destroy());
  server.on('upgrade', (_req, socket) => socket.destroy());
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    setRules(next) {
      rules = next.map((rule) => ({ rule, matched: 0, fired: 0 }));
    },
    clearRules() {
      rules = [];
    },
    requests: () => seen.map((r) => ({ ...r })),
    clearRequests() {
      seen.length = 0;
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      });
    },
  };
}
