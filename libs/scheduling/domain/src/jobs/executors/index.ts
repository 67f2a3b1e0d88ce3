export * from './placeholders';
export * from './url-allowlist';
export * from './response-expectation';
export * from './redaction';
