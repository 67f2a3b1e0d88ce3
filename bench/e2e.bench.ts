import type { BenchArea } from './bench-harness';

export const e2eBenches: BenchArea = { area: 'e2e', rows: ['e2e.x'], run: () => Promise.resolve() };
