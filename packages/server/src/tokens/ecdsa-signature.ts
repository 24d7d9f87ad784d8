// RFC 7518 §3.4: a JWS ECDSA signature is R and S as fixed-size big-endian integers, concatenated.
// node:crypto signs fastest with a bare KeyObject, which yields DER (RFC 3279 Ecdsa-Sig-Value); this converts it.

/** DER `SEQUENCE { INTEGER r, INTEGER s }` to R‖S, each left-padded to `size` bytes (32 for P-256). */
export function derToJoseSignature(der: Uint8Array, size: number): Buffer {
  let offset = 0;
  const expect = (byte: number) => {
    if (der[offset++] !== byte) throw new Error('malformed DER ECDSA signature');
  };
  const readLength = (): number => {
    const first = der[offset++] ?? 0;
    if (first < 0x80) return first;
    const count = first & 0x7f;
    let length = 0;
    for (let i = 0; i < count; i++) length = (length << 8) | (der[offset++] ?? 0);
    return length;
  };
  const out = Buffer.alloc(size * 2);
  expect(0x30);
  readLength();
  for (const half of [0, 1]) {
    expect(0x02);
    let length = readLength();
    let start = offset;
    offset += length;
    // Drop the sign-padding zero bytes DER adds before a high bit.
    while (length > size && der[start] === 0) {
      start++;
      length--;
    }
    if (length > size) throw new Error('ECDSA integer longer than the curve size');
    out.set(der.subarray(start, start + length), half * size + (size - length));
  }
  return out;
}
