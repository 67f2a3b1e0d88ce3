export { planningService as planning } from '../../apps/planning/src/planning.service';
export { schedulingService as scheduling } from '../../apps/scheduling/src/scheduling.service';
export { deploymentService as deployment } from '../../apps/deployment/src/deployment.service';
export { complianceService as compliance } from '../../apps/compliance/src/compliance.service';
export { metricsService as metrics } from '../../apps/metrics/src/metrics.service';
