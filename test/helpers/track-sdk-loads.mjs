// Loaded with `node --import`: records every @aws-sdk module the process loads into $ECSOPS_TRACK_FILE,
// so a test can assert that `ecsops --help` loads no SDK client. Both paths are watched: ESM resolution
// (a loader hook) and CommonJS `require` (ecsops loads SDK packages with require; see src/aws/sdk.ts).
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const file = process.env.ECSOPS_TRACK_FILE ?? '/dev/null';
const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.includes('/@aws-sdk/')) appendFileSync(${JSON.stringify(file)}, result.url + '\\n');
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);

const load = Module._load;
Module._load = function trackedLoad(request, ...rest) {
  if (request.startsWith('@aws-sdk/')) appendFileSync(file, `require:${request}\n`);
  return load.call(this, request, ...rest);
};
