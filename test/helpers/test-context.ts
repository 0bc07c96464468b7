/**
 * A CommandContext for command tests: real client factory (so aws-sdk-client-mock intercepts the same
 * SDK classes), recorded stdout/stderr, a scripted prompt, and a fake clock.
 */
import { createAwsClients } from '../../src/aws/clients.js';
import type { CommandContext, GlobalOptions } from '../../src/commands/context.js';
import { createReporter } from '../../src/output/reporter.js';

export interface TestContext {
  ctx: CommandContext;
  stdout: () => string;
  stderr: () => string;
  /** Questions asked at the prompt, in order. */
  prompts: string[];
  abort: AbortController;
}

export function createTestContext(
  options: {
    global?: Partial<GlobalOptions>;
    interactive?: boolean;
    /** What the user answers at the confirmation prompt. */
    answer?: boolean;
  } = {},
): TestContext {
  let out = '';
  let err = '';
  const prompts: string[] = [];
  const abort = new AbortController();
  let clock = 1_700_000_000_000;
  const global: GlobalOptions = {
    regions: ['us-east-1'],
    json: false,
    color: false,
    debug: false,
    concurrency: 4,
    maxAttempts: 1,
    ...options.global,
  };
  const ctx: CommandContext = {
    out: createReporter({
      json: global.json,
      debug: false,
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: {},
    }),
    aws: createAwsClients({ maxAttempts: 1, userAgent: 'ecsops-test' }),
    global,
    signal: abort.signal,
    interactive: options.interactive ?? false,
    confirm: async (question) => {
      prompts.push(question);
      return options.answer ?? false;
    },
    sleep: async (ms) => {
      clock += ms;
    },
    now: () => clock,
  };
  return { ctx, stdout: () => out, stderr: () => err, prompts, abort };
}
