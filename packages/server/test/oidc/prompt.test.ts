// OpenID Connect Core §3.1.2.1 prompt, max_age and id_token_hint as oidc/prompt.ts and oidc/id-token-hint.ts decide
// them: the parsing rules and whether an existing session may serve a request.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHintedUser } from '../../src/oidc/id-token-hint.ts';
import { parseMaxAge, parsePrompt, sessionSatisfies } from '../../src/oidc/prompt.ts';

const invalidRequest = (description: string) => ({ code: 'invalid_request', description });

describe('parsePrompt', () => {
  it('reads space-delimited values once each; absent is none at all', () => {
    assert.deepEqual(parsePrompt(undefined), []);
    assert.deepEqual(parsePrompt('login  consent login'), ['login', 'consent']);
  });
  it('refuses unknown values (case-sensitive) and none with anything else', () => {
    assert.throws(() => parsePrompt('select_account'), invalidRequest('prompt value "select_account" is not supported (supported: none, login, consent)'));
    assert.throws(() => parsePrompt('Login'), { code: 'invalid_request' });
    assert.throws(() => parsePrompt('none login'), invalidRequest('prompt=none cannot be combined with other prompt values'));
  });
});

describe('parseMaxAge', () => {
  it('accepts non-negative integer seconds only', () => {
    assert.equal(parseMaxAge(undefined), undefined);
    assert.equal(parseMaxAge('0'), 0);
    assert.equal(parseMaxAge('3600'), 3600);
    for (const bad of ['-1', '1.5', '1e3', ' 1', '12345678901']) {
      assert.throws(() => parseMaxAge(bad), invalidRequest('max_age must be a non-negative integer number of seconds'), bad);
    }
  });
});

describe('sessionSatisfies', () => {
  const session = { userId: 'u1', authTime: 1000, amr: ['pwd'] };
  const plain = { prompt: [], maxAge: undefined, idTokenHintSubject: undefined };
  it('no session never satisfies; a session satisfies a plain request', () => {
    assert.equal(sessionSatisfies(undefined, plain, 1000), false);
    assert.equal(sessionSatisfies(session, plain, 99_999), true);
  });
  it('prompt=login always asks again', () => {
    assert.equal(sessionSatisfies(session, { ...plain, prompt: ['login'] }, 1000), false);
  });
  it('max_age: elapsed >= max_age asks again, so max_age=0 always does', () => {
    assert.equal(sessionSatisfies(session, { ...plain, maxAge: 60 }, 1059), true);
    assert.equal(sessionSatisfies(session, { ...plain, maxAge: 60 }, 1060), false);
    assert.equal(sessionSatisfies(session, { ...plain, maxAge: 0 }, 1000), false);
  });
  it('id_token_hint naming another user asks again; naming this user does not', () => {
    assert.equal(sessionSatisfies(session, { ...plain, idTokenHintSubject: 'u2' }, 1000), false);
    assert.equal(sessionSatisfies(session, { ...plain, idTokenHintSubject: 'u1' }, 1000), true);
  });
});

describe('isHintedUser (the one id_token_hint subject rule: here and when the code is issued)', () => {
  it('without a hint anyone is; with one, only its subject', () => {
    assert.equal(isHintedUser(undefined, 'u1'), true);
    assert.equal(isHintedUser('u1', 'u1'), true);
    assert.equal(isHintedUser('u1', 'u2'), false);
  });
});
