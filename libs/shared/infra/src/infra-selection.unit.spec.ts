import { chooseInfra, InfraSelectionError, type ContainerRuntimeProbe } from './infra-selection';

const answering: ContainerRuntimeProbe = () =>
  Promise.resolve({ available: true, description: 'unix:///var/run/docker.sock (Docker 27.1)' });
const silent: ContainerRuntimeProbe = () =>
  Promise.resolve({
    available: false,
    reason: 'Could not find a working container runtime strategy',
  });
const neverAsked: ContainerRuntimeProbe = () => Promise.reject(new Error('the probe must not run'));

describe('chooseInfra', () => {
  it('uses containers when TRAINYARD_INFRA is unset and a runtime answers, saying which', async () => {
    const choice = await chooseInfra(undefined, answering);
    expect(choice.mode).toBe('containers');
    expect(choice.reason).toContain('unix:///var/run/docker.sock');
  });

  it('falls back to the local server and broker when unset and no runtime answers, saying why', async () => {
    const choice = await chooseInfra(undefined, silent);
    expect(choice).toEqual({
      mode: 'local',
      reason: expect.stringContaining('Could not find a working container runtime strategy'),
    });
  });

  it('treats an empty TRAINYARD_INFRA as unset', async () => {
    expect((await chooseInfra('  ', silent)).mode).toBe('local');
    expect((await chooseInfra('', answering)).mode).toBe('containers');
  });

  it('TRAINYARD_INFRA=local wins without probing the runtime', async () => {
    expect(await chooseInfra('local', neverAsked)).toEqual({
      mode: 'local',
      reason: expect.stringContaining('TRAINYARD_INFRA=local'),
    });
  });

  it('TRAINYARD_INFRA=containers uses containers where a runtime answers', async () => {
    expect(await chooseInfra('containers', answering)).toEqual({
      mode: 'containers',
      reason: expect.stringContaining('TRAINYARD_INFRA=containers'),
    });
  });

  it("TRAINYARD_INFRA=containers without a runtime fails with a message naming the variable and the probe's answer", async () => {
    const refused = chooseInfra('containers', silent);
    await expect(refused).rejects.toBeInstanceOf(InfraSelectionError);
    await expect(refused).rejects.toThrow(
      /^TRAINYARD_INFRA=containers, but no container runtime answers \(Could not find a working container runtime strategy\)/,
    );
  });

  it('refuses any other value, naming the variable and what is expected', async () => {
    await expect(chooseInfra('docker', neverAsked)).rejects.toThrow(
      'invalid configuration: TRAINYARD_INFRA: expected local or containers (got "docker")',
    );
  });
});
