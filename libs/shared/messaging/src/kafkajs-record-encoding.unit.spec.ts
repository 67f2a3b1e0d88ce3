// patches/kafkajs+2.2.4.patch also makes the relay's record encoding cheaper (issue 10): encoders
// take unzeroed buffers, varints are written in place (int32 varlongs without Long arithmetic), a
// record writes its headers into its own buffer instead of one 512-byte encoder per header, and
// the batch CRC-32C is no longer passed through a Uint32Array. The bytes on the wire must stay
// what kafkajs wrote before: these tests read them back with kafkajs's own (unpatched) decoders
// and check the checksum against a bit-by-bit reference.
/* eslint-disable @typescript-eslint/no-require-imports */
const EncoderClass = require('kafkajs/src/protocol/encoder') as (new () => EncoderLike) & {
  sizeOfVarLong(value: number): number;
};
const Encoder = EncoderClass;
const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => DecoderLike;
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (record: {
  offsetDelta?: number;
  timestampDelta?: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string | Buffer | (string | Buffer)[]>;
}) => EncoderLike;
const decodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/decoder') as (
  decoder: DecoderLike,
  batchContext: object,
) => { offset: string; timestamp: string; key: Buffer; value: Buffer; headers: object };
const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C') as (buffer: Buffer) => number;
/* eslint-enable @typescript-eslint/no-require-imports */

interface EncoderLike {
  readonly buffer: Buffer;
  writeVarInt(value: number): EncoderLike;
  writeUVarInt(value: number): EncoderLike;
  writeVarLong(value: number): EncoderLike;
}

interface DecoderLike {
  readVarInt(): number;
  readUVarInt(): number;
  readVarLong(): { toString(): string };
  canReadBytes(length: number): boolean;
}

/** CRC-32C (Castagnoli, reflected polynomial 0x82f63b78) one bit at a time. */
function referenceCrc32C(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Deterministic bytes of any length (a linear congruential sequence). */
function bytesOf(length: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

describe('kafkajs record encoding (patched)', () => {
  it('computes CRC-32C as the bit-by-bit definition does, for every tail length', () => {
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283); // the catalogued check value
    for (let length = 0; length <= 40; length++)
      expect(crc32C(bytesOf(length, length))).toBe(referenceCrc32C(bytesOf(length, length)));
    const batch = bytesOf(20_003, 7);
    expect(crc32C(batch)).toBe(referenceCrc32C(batch));
  });

  it('writes varints that read back, in the fewest bytes', () => {
    const values = [0, 1, -1, 63, -64, 64, 300, -301, 2 ** 20, 2 ** 31 - 1, -(2 ** 31)];
    const longs = [2 ** 31, -(2 ** 31) - 1, 2 ** 40, -(2 ** 40), 1_700_000_000_000];
    const encoder = new Encoder();
    for (const value of values) encoder.writeVarInt(value).writeVarLong(value);
    for (const value of longs) encoder.writeVarLong(value);
    encoder.writeUVarInt(0xffffffff);
    const decoder = new Decoder(encoder.buffer);
    for (const value of values) {
      expect(decoder.readVarInt()).toBe(value);
      expect(decoder.readVarLong().toString()).toBe(String(value));
    }
    for (const value of longs) expect(decoder.readVarLong().toString()).toBe(String(value));
    expect(decoder.readUVarInt()).toBe(0xffffffff);
    for (const value of [...values, ...longs])
      expect(EncoderClass.sizeOfVarLong(value)).toBe(
        new Encoder().writeVarLong(value).buffer.length,
      );
    expect(decoder.canReadBytes(1)).toBe(false);
    expect(new Encoder().writeVarInt(63).buffer).toEqual(Buffer.from([0x7e]));
    expect(new Encoder().writeVarInt(64).buffer).toEqual(Buffer.from([0x80, 0x01]));
  });

  it('encodes a record with its headers as kafkajs decodes it', () => {
    const value = bytesOf(1_500, 3); // larger than an encoder's first buffer
    const record = encodeRecord({
      offsetDelta: 3,
      timestampDelta: 125,
      key: Buffer.from('workload-wl-1'),
      value,
      headers: {
        ce_id: 'e-1',
        ce_subject: 'workload-é',
        traceparent: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
        repeated: ['a', 'bb'],
      },
    }).buffer;
    const decoder = new Decoder(record);
    const length = decoder.readVarInt();
    const body = record.length - length; // the length prefix's own size
    expect(body).toBe(2); // a 1.6 KB body needs a two-byte varint
    const decoded = decodeRecord(decoder, {
      firstOffset: '10',
      firstTimestamp: '1000',
      magicByte: 2,
    });
    expect(decoder.canReadBytes(1)).toBe(false);
    expect(decoded.offset).toBe('13');
    expect(decoded.timestamp).toBe('1125');
    expect(decoded.key.toString()).toBe('workload-wl-1');
    expect(decoded.value.equals(value)).toBe(true);
    expect(
      Object.fromEntries(
        Object.entries(decoded.headers).map(([k, v]: [string, Buffer | Buffer[]]) => [
          k,
          Array.isArray(v) ? v.map(String) : String(v),
        ]),
      ),
    ).toEqual({
      ce_id: 'e-1',
      ce_subject: 'workload-é',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      repeated: ['a', 'bb'],
    });
  });
});
