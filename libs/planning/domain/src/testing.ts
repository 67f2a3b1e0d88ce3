// Test and benchmark support, not the domain's API: `@trainyard/planning-domain/testing`, for specs
// and `bench/` only.
export * from './allocation/portfolio.generator';
