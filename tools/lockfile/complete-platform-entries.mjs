// The npm registry mirror this project installs from does not serve every platform build of
// packages such as @swc/core and @bufbuild/buf, so `npm install` writes a lock without them and
// `npm ci` then refuses the lock as out of sync. This adds the missing optional platform entries
// (os/cpu only, no tarball) so `npm ci` accepts the lock and skips them on other platforms.
// Run after every `npm install` that changes package-lock.json: `node tools/lockfile/complete-platform-entries.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const OS = ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openharmony', 'sunos', 'aix'];
const CPU = {
  aarch64: 'arm64',
  arm64: 'arm64',
  x64: 'x64',
  ia32: 'ia32',
  armv7: 'arm',
  arm: 'arm',
  ppc64: 'ppc64',
  s390x: 's390x',
  loong64: 'loong64',
  riscv64: 'riscv64',
};

let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const parts = name.split('/').pop().split('-');
    const os = parts.find((p) => OS.includes(p));
    const cpu = parts.map((p) => CPU[p]).find(Boolean);
    if (!os || !cpu) continue;
    const base = path.includes('node_modules/')
      ? path.slice(0, path.lastIndexOf('node_modules/'))
      : '';
    const candidates = [
      `${path}/node_modules/${name}`,
      `${base}node_modules/${name}`,
      `node_modules/${name}`,
    ];
    if (candidates.some((c) => lock.packages[c])) continue;
    lock.packages[`node_modules/${name}`] = {
      version: version.replace(/^[\^~]/, ''),
      dev: entry.dev,
      optional: true,
      os: [os],
      cpu: [cpu],
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) =>
    a === '' ? -1 : b === '' ? 1 : a.localeCompare(b),
  ),
);
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} platform entries`);
