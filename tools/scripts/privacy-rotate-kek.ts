// KEK rotation for the per-subject data keys (docs/adr/0013-crypto-shredding.md): every data key
// wrapped by the current operator KEK (TRAINYARD_PII_KEK / TRAINYARD_PII_KEK_FILE, as the services
// read it) is re-wrapped by the new one. Payloads are never decrypted; nothing secret is printed.
//   npm run privacy:rotate-kek -- --new-kek-file <file with base64 of 32 bytes> [--new-kid <id>]
// Then run the services with the new key (TRAINYARD_PII_KEK_FILE=<file>, TRAINYARD_PII_KEK_ID=<id>)
// and destroy the old one. Exit codes: 0 done, 2 usage error or failure (nothing half-rotated).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import {
  keyEncryptionKey,
  loadKeyEncryptionKey,
  privacySchemaOf,
  rotateKeyEncryptionKey,
} from '@trainyard/privacy';

const USAGE = 'usage: npm run privacy:rotate-kek -- --new-kek-file <file> [--new-kid <id>]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { 'new-kek-file': { type: 'string' }, 'new-kid': { type: 'string' } },
    strict: true,
  });
  const file = values['new-kek-file'];
  if (!file) throw new Error(USAGE);
  const text = readFileSync(file, 'utf8').trim();
  if (!/^[A-Za-z0-9+/]{43}=$/.test(text))
    throw new Error(`${file} must hold the base64 of exactly 32 bytes`);
  const next = keyEncryptionKey(Buffer.from(text, 'base64'), values['new-kid']);
  const current = loadKeyEncryptionKey();
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/trainyard',
    max: 2,
  });
  try {
    const schema = privacySchemaOf();
    const result = await rotateKeyEncryptionKey(pool, schema, current, next);
    console.log(
      `${schema}.subject_keys: ${result.rewrapped} data keys re-wrapped from ${current.kid} to ${next.kid}; ` +
        `${result.tombstones} erased subjects unchanged` +
        (Object.keys(result.otherKids).length
          ? `; keys under other KEKs left alone: ${JSON.stringify(result.otherKids)}`
          : ''),
    );
    return 0;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(
      `privacy:rotate-kek failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exitCode = 2;
  },
);
