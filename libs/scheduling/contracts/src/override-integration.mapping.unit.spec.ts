import type { FreezeOverrideEvent } from '@trainyard/scheduling-domain';
import {
  OVERRIDE_INTEGRATION_EVENTS,
  overrideIntegrationEventOf,
} from './override-integration.mapping';

describe('override integration events', () => {
  it('publishes a use with its schema, copying the fields by name and leaving open dimensions out', () => {
    const used: FreezeOverrideEvent = {
      type: 'FreezeOverrideUsed',
      data: {
        overrideId: 'O-1',
        freezeId: 'F-1',
        deploymentId: 'D-1',
        start: '2031-05-04T13:00:00.000Z',
        end: '2031-05-04T14:00:00.000Z',
        scope: { environments: ['prod'], components: ['checkout'], teams: [] },
        usedBy: 'placement',
        recordedAt: '2031-05-04T10:00:00.000Z',
      },
    };
    expect(overrideIntegrationEventOf(used)).toEqual({
      type: 'FreezeOverrideUsed',
      version: 1,
      data: { ...used.data, scope: { environments: ['prod'], components: ['checkout'] } },
      dataschema: 'urn:trainyard:scheduling:events#/components/schemas/FreezeOverrideUsed.v1',
    });
  });

  it('leaves other events to the calendar mapping, and catalogues all nine types', () => {
    expect(overrideIntegrationEventOf({ type: 'FreezeDefined', data: {} })).toBeUndefined();
    expect(OVERRIDE_INTEGRATION_EVENTS).toHaveLength(9);
  });
});
