export const deploymentPlanStream = (releaseId: string): string => `deployment-plan-${releaseId}`;
