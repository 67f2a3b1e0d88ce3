import { apiVersionStreamKey } from '@trainyard/planning-domain';

export const workloadStream = (workloadId: string): string => `workload-${workloadId}`;
export const releaseStream = (releaseId: string): string => `release-${releaseId}`;
export const apiVersionStream = (api: string, version: string): string =>
  `api-version-${apiVersionStreamKey(api, version)}`;
export const workloadIdOf = (streamId: string): string => streamId.replace(/^workload-/, '');
