// Every test file has a root afterAll, declared before the file's own: the test environment
// (environment.js) stops what the file left running when the last root afterAll has run.
afterAll(() => undefined);
