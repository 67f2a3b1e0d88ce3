import type { BenchArea } from './bench-harness';

export const relayBenches: BenchArea = {
  area: 'relay',
  rows: ['relay.x'],
  run: () => Promise.resolve(),
};
