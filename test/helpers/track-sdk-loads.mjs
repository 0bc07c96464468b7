// Loaded with `node --import`: records every @aws-sdk module the process resolves into $ECSOPS_TRACK_FILE,
// so a test can assert that `ecsops --help` loads no SDK client.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.includes('/@aws-sdk/')) appendFileSync(${JSON.stringify(process.env.ECSOPS_TRACK_FILE ?? '/dev/null')}, result.url + '\\n');
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
