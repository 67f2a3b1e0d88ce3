// The suite's test environment: Node's, plus one duty at the end of each test file. Whatever the
// file started through the test harness and did not stop (see ../leftovers.ts) is stopped here,
// after the file's own hooks, and named on stderr, so it cannot keep jest's process alive or
// consume another file's messages. Plain JavaScript: jest loads the environment before any
// transform applies.
const { TestEnvironment } = require('jest-environment-node');

/** How long the end of a file waits for a start still in flight. */
const START_WAIT_MS = 180_000;

class TrainyardEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.testPath = context.testPath;
  }

  // Right after the file's last hook, while jest still counts the code as the test's (a service
  // stopping loads modules, e.g. kafkajs's protocol files, and jest refuses that outside a hook or
  // a test); this handler runs before jest's own, which marks the hook's end. setup-after-env.ts
  // declares a root afterAll, so there always is a last one. The run's end is the fallback.
  async handleTestEvent(event) {
    const hookOver = event.name === 'hook_success' || event.name === 'hook_failure';
    if ((hookOver && isLastRootAfterAll(event)) || event.name === 'run_finish')
      await this.stopLeftovers();
  }

  async stopLeftovers() {
    const registry = this.global.__TRAINYARD_RUNNING__;
    if (registry) {
      let timer;
      await Promise.race([
        Promise.allSettled([...registry.starting]),
        new Promise((resolve) => (timer = setTimeout(resolve, START_WAIT_MS))),
      ]);
      clearTimeout(timer);
      // Last started, first stopped: a service before the test context whose schema it uses.
      const left = [...registry.running].reverse();
      if (left.length > 0) {
        process.stderr.write(
          `\n[test harness] ${this.testPath} left ${left.length} running: ${left
            .map((item) => item.label)
            .join(', ')}; stopping them\n`,
        );
        for (const item of left)
          await item
            .stop()
            .catch((error) =>
              process.stderr.write(`[test harness] stopping ${item.label} failed: ${error}\n`),
            );
      }
    }
  }
}

function isLastRootAfterAll({ hook, describeBlock }) {
  if (hook?.type !== 'afterAll' || !describeBlock || describeBlock.parent) return false;
  return describeBlock.hooks.filter((h) => h.type === 'afterAll').at(-1) === hook;
}

module.exports = TrainyardEnvironment;
