import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { OrchUserEntityProvider } from './OrchUserEntityProvider';

describe('OrchUserEntityProvider.fromConfig', () => {
  const create = (data: object) => {
    const scheduler = mockServices.scheduler.mock();
    const provider = OrchUserEntityProvider.fromConfig(new ConfigReader(data), {
      auth: mockServices.auth(),
      discovery: mockServices.discovery(),
      logger: mockServices.logger.mock(),
      scheduler,
    });
    return { provider, scheduler };
  };

  it('refreshes every 30 seconds on one replica at a time by default', () => {
    const { scheduler } = create({});
    expect(scheduler.createScheduledTaskRunner).toHaveBeenCalledWith({
      frequency: { seconds: 30 },
      timeout: { minutes: 1 },
      scope: 'global',
    });
  });

  it('reads orch.catalog.users.schedule, keeping the global scope', () => {
    const { scheduler } = create({
      orch: {
        catalog: {
          users: {
            schedule: {
              frequency: { minutes: 5 },
              timeout: { minutes: 2 },
              initialDelay: { seconds: 10 },
              scope: 'local',
            },
          },
        },
      },
    });
    expect(scheduler.createScheduledTaskRunner).toHaveBeenCalledWith({
      frequency: { minutes: 5 },
      timeout: { minutes: 2 },
      initialDelay: { seconds: 10 },
      scope: 'global',
    });
  });

  it('refuses to refresh before the catalog connected it', async () => {
    const { provider } = create({});
    await expect(provider.refresh()).rejects.toThrow(/not connected/);
  });
});
