// User codes (RFC 8628 §6.1): the alphabet and length, the XXXX-XXXX display, normalisation of what people type, and
// the keyed at-rest hash.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatUserCode, generateUserCode, normaliseUserCode, USER_CODE_ALPHABET, USER_CODE_LENGTH, userCodeHash,
} from '../../src/device/user-code.ts';

describe('user codes', () => {
  it('are 8 characters from 20 consonants without look-alikes (34.5 bits), shown as XXXX-XXXX', () => {
    assert.equal(USER_CODE_ALPHABET, 'BCDFGHJKLMNPQRSTVWXZ');
    assert.equal(USER_CODE_LENGTH, 8);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const code = generateUserCode();
      assert.match(code, /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
      seen.add(code);
    }
    assert.equal(seen.size, 2000, 'no repeats in a small sample');
    assert.ok(Math.log2(USER_CODE_ALPHABET.length ** USER_CODE_LENGTH) > 34);
    assert.equal(formatUserCode('BCDFGHJK'), 'BCDF-GHJK');
  });

  it('normalises case, spaces, dashes, other separators and full-width letters (NFKC), and refuses what cannot be a code', () => {
    for (const typed of ['BCDF-GHJK', 'bcdfghjk', ' bcdf ghjk ', 'bc-df-gh-jk', 'BCDF_GHJK', 'BCDF.GHJK', 'BCDF\u2013GHJK', 'bcdf\tghjk', 'ＢＣＤＦＧＨＪＫ']) {
      assert.equal(normaliseUserCode(typed), 'BCDFGHJK', typed);
    }
    for (const typed of [undefined, '', 'BCDF-GHJ', 'BCDF-GHJKL', 'ABCD-EFGH', 'BCDF-GHJ0', 'BCDF/GHJK', 'x'.repeat(65)]) {
      assert.equal(normaliseUserCode(typed), undefined, String(typed));
    }
  });

  it('are stored under a hash keyed by the server secret: the same code hashes differently under another secret', () => {
    const a = userCodeHash('secret-one-that-is-long-enough-0123456789', 'BCDFGHJK');
    assert.equal(a, userCodeHash('secret-one-that-is-long-enough-0123456789', 'BCDFGHJK'));
    assert.notEqual(a, userCodeHash('secret-two-that-is-long-enough-0123456789', 'BCDFGHJK'));
    assert.notEqual(a, userCodeHash('secret-one-that-is-long-enough-0123456789', 'BCDFGHJL'));
    assert.ok(!a.includes('BCDFGHJK'));
  });
});
