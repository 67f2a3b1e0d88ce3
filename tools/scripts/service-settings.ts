// Each service's own settings schema (apps/<service>/src/config), for the checks that validate a
// configuration without starting the service: `npm start`'s pre-check and the compose test.
import type { ServiceName, ServiceSettingsSchema } from '@trainyard/platform';
import { complianceSettings } from '../../apps/compliance/src/config/compliance-settings';
import { schedulingSettings } from '../../apps/scheduling/src/config/scheduling-settings';

export const SERVICE_SETTINGS: Partial<Record<ServiceName, ServiceSettingsSchema>> = {
  scheduling: schedulingSettings,
  compliance: complianceSettings,
};
