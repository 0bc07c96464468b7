import { describe, expect, it } from 'vitest';
import { describeStatement, parsePolicyDocument } from '../../../src/core/iam/policy.js';

const doc = {
  Version: '2012-10-17',
  Statement: {
    Sid: 'One',
    Effect: 'Allow',
    Action: 'ssm:GetParameters',
    Resource: '*',
    Condition: { Bool: { 'aws:SecureTransport': true } },
  },
};

describe('parsePolicyDocument', () => {
  it.each<[string, string | object]>([
    ['an object', doc],
    ['a JSON string', JSON.stringify(doc)],
    ['a URL-encoded JSON string (as IAM returns it)', encodeURIComponent(JSON.stringify(doc))],
  ])('accepts %s with a single Statement object', (_n, input) => {
    const r = parsePolicyDocument(input);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const st = r.policy.statements[0];
    expect(st?.action).toEqual(['ssm:GetParameters']);
    expect(st?.resource).toEqual(['*']);
    // condition values are stringified so `true` and "true" compare alike
    expect(st?.condition).toEqual({ Bool: { 'aws:SecureTransport': ['true'] } });
  });

  it('keeps a literal % inside a plain JSON document', () => {
    const r = parsePolicyDocument(
      JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::a%b' }] }),
    );
    expect(r.ok && r.policy.statements[0]?.resource).toEqual(['arn:aws:s3:::a%b']);
  });

  it.each<[string, unknown, string]>([
    ['not JSON', 'not json', 'not valid JSON'],
    ['no Statement', { Version: '2012-10-17' }, 'no Statement'],
    ['bad Effect', { Statement: [{ Effect: 'Maybe', Action: '*' }] }, 'Effect'],
    ['no Action', { Statement: [{ Effect: 'Allow', Resource: '*' }] }, 'neither Action nor NotAction'],
    ['numeric Action', { Statement: [{ Effect: 'Allow', Action: 3 }] }, 'Action must be'],
  ])('rejects %s', (_n, input, reason) => {
    const r = parsePolicyDocument(input as object);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('names statements by Sid or by position', () => {
    expect(describeStatement('inline policy p', { sid: 'S', index: 0 })).toBe('inline policy p, Sid "S"');
    expect(describeStatement('inline policy p', { sid: undefined, index: 2 })).toBe(
      'inline policy p, statement #3',
    );
  });
});
