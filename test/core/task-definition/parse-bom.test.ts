import { describe, expect, it } from 'vitest';
import { parseTaskDefinition } from '../../../src/core/task-definition/parse.js';
import { InputError } from '../../../src/errors.js';

const BOM = '\uFEFF';
const DOCUMENT = '{\n  "family": "app",\n  "containerDefinitions": [{ "name": "app", "image": "a:1" }]\n}\n';

describe('parseTaskDefinition: UTF-8 byte-order mark', () => {
  it.each([
    ['without a BOM', DOCUMENT],
    ['with a leading BOM', `${BOM}${DOCUMENT}`],
  ])('%s parses', (_name, text) => {
    const parsed = parseTaskDefinition(text, 'td.json');
    expect(parsed.shape).toBe('register-input');
    expect(parsed.view.family).toBe('app');
    expect(parsed.view.containers.map((c) => c.image)).toEqual(['a:1']);
  });

  it('reports a syntax error after a BOM at its line and column in the file', () => {
    const text = `${BOM}{\n  "family": "app",\n  oops\n}`;
    expect(() => parseTaskDefinition(text, 'td.json')).toThrow(InputError);
    expect(() => parseTaskDefinition(text, 'td.json')).toThrow(/^td\.json:3:3: malformed JSON/);
  });

  it('only a leading BOM is stripped', () => {
    expect(() => parseTaskDefinition(`{}${BOM}`, 'td.json')).toThrow(/malformed JSON/);
  });
});
