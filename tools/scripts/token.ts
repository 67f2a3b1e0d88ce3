// npm run token -- --role <role> [--role <role>…] [--sub <subject>] [--ttl 8h]
// Prints a development bearer token signed with the local key (.local/auth, created on first use).
import { parseArgs } from 'node:util';
import { signDevToken } from '@trainyard/infra';
import { ROLES } from '@trainyard/platform';

const { values } = parseArgs({
  options: {
    role: { type: 'string', multiple: true },
    sub: { type: 'string' },
    ttl: { type: 'string', default: '8h' },
  },
});
const roles = values.role ?? [];
const unknown = roles.filter((role) => !ROLES.includes(role));
if (roles.length === 0 || unknown.length > 0) {
  console.error(
    `usage: npm run token -- --role <${ROLES.join('|')}> [--sub <subject>] [--ttl 8h]${unknown.length ? ` (unknown role ${unknown.join(', ')})` : ''}`,
  );
  process.exit(2);
}
signDevToken({ roles, subject: values.sub, expiresIn: values.ttl }).then(
  (token) => console.log(token),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
