// Prints an RFC 6962 proof from a service's event log as JSON, read from the database: the same
// fields (proto3 JSON: camelCase, bytes as base64) as AuditTrailService/GetInclusionProof and
// GetConsistencyProof return over gRPC.
//   npm run audit:proof -- --service <name> --leaf <index> [--tree-size <n>]
//   npm run audit:proof -- --service <name> --from-size <m> [--tree-size <n>]
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { assertSchemaName, readConsistencyProof, readInclusionProof } from '@trainyard/event-store';

const USAGE =
  'usage: npm run audit:proof -- --service <name> (--leaf <index> | --from-size <m>) [--tree-size <n>]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      service: { type: 'string' },
      leaf: { type: 'string' },
      'from-size': { type: 'string' },
      'tree-size': { type: 'string' },
    },
    strict: true,
  });
  const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  if (!values.service || (values.leaf === undefined) === (values['from-size'] === undefined))
    throw new Error(USAGE);
  const schema = assertSchemaName(values.service);
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/trainyard',
    max: 1,
  });
  const b64 = (bytes: Buffer) => bytes.toString('base64');
  try {
    if (values.leaf !== undefined) {
      const proof = await readInclusionProof(
        pool,
        schema,
        number(values.leaf)!,
        number(values['tree-size']),
      );
      console.log(
        JSON.stringify(
          {
            leafIndex: String(proof.leafIndex),
            treeSize: String(proof.treeSize),
            rootHash: b64(proof.rootHash),
            leafHash: b64(proof.leafHash),
            leafData: b64(proof.leafData),
            auditPath: proof.proof.map(b64),
          },
          null,
          2,
        ),
      );
    } else {
      const proof = await readConsistencyProof(
        pool,
        schema,
        number(values['from-size'])!,
        number(values['tree-size']),
      );
      console.log(
        JSON.stringify(
          {
            fromSize: String(proof.fromSize),
            toSize: String(proof.toSize),
            fromRootHash: b64(proof.fromRoot),
            toRootHash: b64(proof.toRoot),
            proof: proof.proof.map(b64),
          },
          null,
          2,
        ),
      );
    }
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
});
