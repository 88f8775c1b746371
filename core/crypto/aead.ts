import crypto from 'node:crypto';

/**
 * AES-256-GCM with a random 96-bit nonce per value. Layout of a sealed value:
 * [format 1 byte = 1][key version uint32 BE][nonce 12][ciphertext][tag 16].
 * The key version travels with the value so old versions still decrypt after a rotation.
 */
const FORMAT = 1;
const HEADER = 1 + 4 + 12;

export function seal(key: Buffer, keyVersion: number, plaintext: Buffer, aad: string): Buffer {
  const nonce = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const head = Buffer.alloc(5);
  head.writeUInt8(FORMAT, 0);
  head.writeUInt32BE(keyVersion, 1);
  return Buffer.concat([head, nonce, ct, cipher.getAuthTag()]);
}

export function sealedKeyVersion(blob: Buffer): number {
  if (blob.length < HEADER + 16 || blob.readUInt8(0) !== FORMAT) throw new Error('not a sealed value');
  return blob.readUInt32BE(1);
}

/** Throws if the value was tampered with, moved to another row/field/org, or the key is wrong. */
export function open(key: Buffer, blob: Buffer, aad: string): Buffer {
  sealedKeyVersion(blob);
  const nonce = blob.subarray(5, HEADER);
  const tag = blob.subarray(blob.length - 16);
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(blob.subarray(HEADER, blob.length - 16)), decipher.final()]);
}
