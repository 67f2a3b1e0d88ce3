import { createComponentTree } from '../component/component-tree';
import { calendarEntry } from '../test-support/calendar.fixtures';
import { entryAppliesTo, maintenanceWindowsFor } from './calendar-scope';

const tree = createComponentTree([
  ['platform', undefined],
  ['payments', 'platform'],
  ['payments-db', 'payments'],
]);

describe('entryAppliesTo', () => {
  it('applies an empty scope to everything', () => {
    expect(entryAppliesTo({}, {})).toBe(true);
  });

  it('needs every non-empty list to hold the subject value', () => {
    const scope = { trains: ['T1'], environments: ['prod'] };
    expect(entryAppliesTo(scope, { train: 'T1', environment: 'prod', team: 'x' })).toBe(true);
    expect(entryAppliesTo(scope, { train: 'T1', environment: 'staging' })).toBe(false);
    expect(entryAppliesTo(scope, { environment: 'prod' })).toBe(false);
  });

  it('matches any component, and with a tree also their ancestors', () => {
    const scope = { components: ['payments'] };
    expect(entryAppliesTo(scope, { components: ['web', 'payments'] })).toBe(true);
    expect(entryAppliesTo(scope, { components: ['payments-db'] })).toBe(false);
    expect(entryAppliesTo(scope, { components: ['payments-db'] }, tree)).toBe(true);
  });
});

describe('maintenanceWindowsFor', () => {
  const own = calendarEntry({
    id: 'db-window',
    kind: 'maintenance-window',
    scope: { components: ['payments-db'] },
  });
  const parent = calendarEntry({
    id: 'platform-window',
    kind: 'maintenance-window',
    scope: { components: ['platform'] },
  });
  const freeze = calendarEntry({
    id: 'freeze',
    kind: 'freeze',
    scope: { components: ['payments'] },
  });

  it('returns the component own windows and every ancestor level that has windows', () => {
    expect(maintenanceWindowsFor('payments-db', tree, [own, parent, freeze])).toEqual([
      { componentId: 'payments-db', entries: [own] },
      { componentId: 'platform', entries: [parent] },
    ]);
  });

  it('lets a child without windows inherit its parents', () => {
    expect(
      maintenanceWindowsFor('payments', tree, [own, parent]).map((l) => l.componentId),
    ).toEqual(['platform']);
  });
});
