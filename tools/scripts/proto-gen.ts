// npm run proto:gen — TypeScript (ts-proto) and the descriptor set (buf build) from proto/.
// Both land in libs/shared/grpc-contracts/src/generated and are committed; CI regenerates and
// fails on a difference.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@trainyard/infra';

const root = repoRoot();
const buf = join(root, 'node_modules', '.bin', 'buf');
const run = (args: string[]) => execFileSync(buf, args, { cwd: root, stdio: 'inherit' });

run(['generate']);
run(['export', '.', '-o', 'libs/shared/grpc-contracts/src/generated/proto']);
run([
  'build',
  '--exclude-source-info',
  '-o',
  'libs/shared/grpc-contracts/src/generated/trainyard.binpb',
]);
console.log('generated libs/shared/grpc-contracts/src/generated');
