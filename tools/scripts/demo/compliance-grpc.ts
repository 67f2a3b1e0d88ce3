// The compliance demo's clients, made by the demo's one gRPC plumbing (demo-grpc.ts: unary calls,
// DemoCallError with the rule a refusal cites).
import { demoClient, type DemoClient } from './demo-grpc';

export const services = (address: string) => ({
  policies: demoClient('compliance', 'ComplianceService', address),
  reviews: demoClient('compliance', 'ReviewService', address),
  sampling: demoClient('compliance', 'SamplingService', address),
  privacy: demoClient('compliance', 'PrivacyService', address),
});

export const planningClient = (address: string): DemoClient =>
  demoClient('planning', 'PlanningService', address);
